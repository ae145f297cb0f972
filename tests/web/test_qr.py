"""The share box's QR codes: SVG drawn here, holding the page's public address, cached, and only for
pages anyone may open."""
import re
import xml.etree.ElementTree as ET

import pytest
import segno

from mobilizon_lite.models import Actor

from ..helpers import BASE_URL, make_account, make_event, make_group

SVG = "{http://www.w3.org/2000/svg}"
BORDER = 4


def drawn_matrix(svg):
    """The modules an SVG of segno's draws, as rows of booleans (its quiet zone included): read from the path's
    horizontal lines ("M x y", "h length", "m dx dy"), each on the middle of its row."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    width, height = (int(value) for value in root.get("viewBox").split()[2:])
    background, drawing = root.findall(f"{SVG}path")
    # Drawn on white, so that it reads on a dark page too.
    assert background.get("fill") == "#fff" and background.get("d") == f"M0 0h{width}v{height}h-{width}z"
    assert drawing.get("stroke") == "#000"
    rows = [[False] * width for _ in range(height)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", drawing.get("d")):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            for column in range(int(x), int(x + values[0])):
                rows[int(y)][column] = True
            x += values[0]
    return rows


def expected_matrix(url):
    """segno's modules for url (the code's own encoding of it), with the quiet zone around them."""
    code = segno.make(url, error="m", micro=False)
    assert code.mode == "byte" and not code.is_micro
    size = len(code.matrix)
    blank = [False] * (size + 2 * BORDER)
    inner = [[False] * BORDER + [bool(module) for module in row] + [False] * BORDER for row in code.matrix]
    return [blank[:] for _ in range(BORDER)] + inner + [blank[:] for _ in range(BORDER)]


def test_an_events_code_holds_its_address(app, client):
    make_account(app)
    event = make_event(app)
    response = client.get(f"/events/{event.uuid}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert drawn_matrix(response.data) == expected_matrix(f"{BASE_URL}/events/{event.uuid}")
    assert b"<script" not in response.data and b"href" not in response.data
    again = client.get(f"/events/{event.uuid}/qr.svg", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_another_event_another_code(app, client):
    make_account(app)
    first, second = make_event(app), make_event(app)
    assert client.get(f"/events/{first.uuid}/qr.svg").data != client.get(f"/events/{second.uuid}/qr.svg").data


@pytest.mark.parametrize("username", ["club", "ann", "gardeners@remote.example"])
def test_profiles_codes_hold_their_pages(app, client, username):
    make_account(app)
    make_group(app)
    with app.app_context():
        Actor.create(preferred_username="gardeners", domain="remote.example", type="Group",
                     ap_id="https://remote.example/@gardeners")
    response = client.get(f"/@{username}/qr.svg")
    assert response.status_code == 200
    assert drawn_matrix(response.data) == expected_matrix(f"{BASE_URL}/@{username}")


def test_no_code_for_what_has_no_page(app, client):
    make_account(app)
    unlisted = make_event(app, visibility="unlisted")
    private = make_event(app, visibility="private")
    assert client.get(f"/events/{unlisted.uuid}/qr.svg").status_code == 200  # shared by its link: that is its use
    for path in (f"/events/{private.uuid}/qr.svg", "/events/nope/qr.svg", "/@nobody/qr.svg",
                 "/@nobody@remote.example/qr.svg"):
        assert client.get(path).status_code == 404, path
