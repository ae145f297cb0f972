"""python run.py as a real server: instance created on first run, waitress, scheduler, BASE_URL."""
import io
import random
import re
import socket

import requests
from PIL import Image

from mobilizon_lite.config import DEFAULTS
from mobilizon_lite.migrations import STEPS

from ..databases import instance_schema_version
from ..harness import RunningInstance, form_token
from ..helpers import event_fields


def test_first_run_creates_the_instance_and_serves(tmp_path, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    instance_path, port = server.path, server.port
    server.create_user("ann", password="lemon plutonium tea")
    with server:
        home = server.answers()
        assert home.status_code == 200
        assert home.headers["Server"] == "mobilizon_lite"  # waitress, with our ident
        profile = requests.get(f"http://127.0.0.1:{port}/@ann", timeout=5)
        assert f"@ann@127.0.0.1:{port}" in profile.text
    output = server.output()
    assert "SECRET_KEY = " in (instance_path / "config.py").read_text()
    assert oct((instance_path / "config.py").stat().st_mode)[-3:] == "600"
    assert instance_schema_version(instance_path) == len(STEPS)
    assert "Scheduler started" in output


def test_base_url_comes_from_the_environment(tmp_path, instance_env):
    server = RunningInstance(tmp_path / "instance", env=dict(instance_env,
                                                             MOBILIZON_LITE_BASE_URL="https://events.example.org"))
    port = server.port
    with server:
        response = requests.post(f"http://127.0.0.1:{port}/password/forgot", timeout=5)
        assert response.status_code == 400  # no CSRF token
        page = requests.get(f"http://127.0.0.1:{port}/@nobody", timeout=5)
        assert page.status_code == 404
    # Secure cookies follow an https BASE_URL even when the server itself listens on http.
    with server:
        session = requests.Session()
        response = session.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert "Secure" in response.headers["Set-Cookie"]


def raw_request(port, head, body=b""):
    """An open socket that sent head (and the start of a body) and sends nothing more."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(head.replace(b"\n", b"\r\n") + b"\r\n" + body)
    return sock


def status_line(sock):
    """The status line the server answered on sock (b"" when it closed without answering)."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


def test_bodies_that_never_end_neither_hang_nor_stop_pages(tmp_path, instance_env):
    # A 4 MB picture limit puts waitress's own limit (twice the largest form) at 18 MB, under the 40 MB sent below.
    server = RunningInstance(tmp_path / "instance",
                             env=dict(instance_env, MOBILIZON_LITE_PICTURE_MAX_BYTES="4000000")).start()
    port = server.port
    sockets = []
    try:
        # A length far beyond any upload is refused before the body arrives: answered at once.
        for path in ("/inbox", "/events/new"):
            sock = raw_request(port, f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: "
                                     "application/activity+json\nContent-Length: 999999999\n".encode(), b"{}")
            sockets.append(sock)
            assert status_line(sock).startswith(b"HTTP/1.1 413")
        # Eight slow clients: chunked bodies that never end, and bodies shorter than announced.
        for number in range(8):
            if number % 2:
                head, body = b"POST /inbox HTTP/1.1\nHost: 127.0.0.1\nTransfer-Encoding: chunked\n", b"2\r\n{}\r\n"
            else:
                head, body = b"POST /login HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 1000000\n", b"email="
            sockets.append(raw_request(port, head, body))
        for _ in range(3 * 8):  # more requests than the server has threads
            assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        # A chunked body that grows past the limit is cut off with a 413 too.
        sock = raw_request(port, b"POST /inbox HTTP/1.1\nHost: 127.0.0.1\nTransfer-Encoding: chunked\n")
        sockets.append(sock)
        chunk = b"x" * (1 << 20)
        try:
            for _ in range(40):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass  # the server answered and closed while we were still sending
        assert status_line(sock).startswith(b"HTTP/1.1 413")
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_a_banner_near_the_size_limit_still_uploads(tmp_path, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env)
    server.create_user("ann", password="lemon plutonium tea")
    side = 2540  # a PNG of noise takes three bytes a pixel: just under the 20 MB limit
    noise = Image.frombytes("RGB", (side, side), random.Random(1).randbytes(side * side * 3))
    picture = io.BytesIO()
    noise.save(picture, "PNG", compress_level=1)
    assert 0.95 * DEFAULTS["PICTURE_MAX_BYTES"] < len(picture.getvalue()) <= DEFAULTS["PICTURE_MAX_BYTES"]
    with server:
        base = server.base
        session = requests.Session()
        login = session.post(f"{base}/login", data={"email": "ann@example.org", "password": "lemon plutonium tea",
                                                    "csrf_token": form_token(session, f"{base}/login")},
                             allow_redirects=False, timeout=10)
        assert login.status_code == 302
        fields = dict(event_fields(), csrf_token=form_token(session, f"{base}/events/new"))
        created = session.post(f"{base}/events/new", data=fields, files={"picture": ("big.png", picture.getvalue())},
                               allow_redirects=False, timeout=30)
        assert created.status_code == 302, created.text[-500:]
        page = session.get(base + created.headers["Location"], timeout=10).text
        # An opaque picture of many colours is stored as a JPEG.
        assert re.search(r'<img[^>]+src="/uploads/[0-9a-f]{32}\.jpg"', page)
