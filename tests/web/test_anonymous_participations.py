"""Anonymous participants: the page of an address's participations reached from its emails, each
cancelled there; the name and (if allowed) the address the organisers see, on the participants page only."""
import csv
import io

from mobilizon_lite.models import Event, Participation
from mobilizon_lite.services import seats

from ..helpers import BASE_URL, log_in, make_account, make_event, submit


def link_in(message, marker):
    line = next(line for line in message.get_content().splitlines() if marker in line)
    return line.strip().replace(BASE_URL, "")


def join_and_confirm(app, smtp, event, count, email="visitor@example.org", **fields):
    """A visitor joins event without an account and confirms: the emailed list and cancel links."""
    visitor = app.test_client()
    page = f"/events/{event.uuid}"
    assert submit(visitor, f"{page}/anonymous", dict(email=email, message="", **fields), page=page).status_code == 200
    message = smtp.wait_for(count)[-1]
    assert submit(visitor, link_in(message, "/participation/confirm/"), {}).status_code == 302
    return link_in(message, "/participation/mine/"), link_in(message, "/participation/cancel/")


def test_the_emailed_list_shows_and_cancels_each_participation(mail_app, smtp):
    make_account(mail_app)
    picnic = make_event(mail_app, title="Picnic", anonymous_participation=True, capacity=5)
    concert = make_event(mail_app, title="Concert", anonymous_participation=True)
    _listing, cancel = join_and_confirm(mail_app, smtp, picnic, 1)
    listing, _cancel = join_and_confirm(mail_app, smtp, concert, 2)
    other, _cancel = join_and_confirm(mail_app, smtp, concert, 3, email="someone@example.org")

    visitor = mail_app.test_client()
    page = visitor.get(listing).get_data(as_text=True)
    assert "Picnic" in page and "Concert" in page and "visitor@example.org" in page
    assert "someone@example.org" not in page
    assert "Picnic" not in visitor.get(other).get_data(as_text=True)
    # The cancel page of any email leads there too.
    with mail_app.app_context():
        row = Participation.get((Participation.email == "visitor@example.org") & (Participation.event == picnic.id))
        other_row = Participation.get(Participation.email == "someone@example.org")
    assert f'href="{BASE_URL}{listing}"' in visitor.get(cancel).get_data(as_text=True)
    assert submit(visitor, f"{listing}/{row.id}/cancel", {}, page=listing).status_code == 302
    page = visitor.get(listing).get_data(as_text=True)
    assert f"/events/{picnic.uuid}" not in page and f"/events/{concert.uuid}" in page
    with mail_app.app_context():
        assert seats.going_count(Event.get_by_id(picnic.id)) == 0  # the seat is free
    # Another address's participation cannot be cancelled from this list, nor can a forged link list anything.
    assert submit(visitor, f"{listing}/{other_row.id}/cancel", {}, page=listing).status_code == 404
    assert visitor.get(listing[:-3] + "abc").status_code == 404


def test_the_organisers_see_the_name_and_the_address_only_when_allowed(mail_app, smtp):
    make_account(mail_app)
    event = make_event(mail_app, title="Picnic", anonymous_participation=True)
    join_and_confirm(mail_app, smtp, event, 1, email="shown@example.org", name="Sam", email_shown="y")
    join_and_confirm(mail_app, smtp, event, 2, email="hidden@example.org", name="Kim")
    organiser = mail_app.test_client()
    log_in(organiser)
    page = organiser.get(f"/events/{event.uuid}/participants").get_data(as_text=True)
    assert "Sam" in page and "shown@example.org" in page and "Kim" in page and "hidden@example.org" not in page
    rows = list(csv.reader(io.StringIO(
        organiser.get(f"/events/{event.uuid}/participants.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-1] == "Email"
    assert (rows[-2][0], rows[-2][-1]) == ("Sam", "shown@example.org") and (rows[-1][0], rows[-1][-1]) == ("Kim", "")
    # Nowhere else: not on the event's page, for anyone.
    for client in (organiser, mail_app.test_client()):
        shown = client.get(f"/events/{event.uuid}").get_data(as_text=True)
        assert "shown@example.org" not in shown and "Sam" not in shown
