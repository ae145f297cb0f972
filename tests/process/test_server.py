"""python run.py as a real server: instance created on first run, waitress, scheduler, BASE_URL."""
import io
import os
import random
import re
import socket
import subprocess
import sys
from pathlib import Path

import requests
from PIL import Image

from mobilizon_lite.config import DEFAULTS

from ..helpers import CSRF_RE, event_fields, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


def start(instance_path, port, env=None):
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--host", "127.0.0.1", "--port", str(port),
         "--instance-path", str(instance_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, **(env or {})),
    )


def answers(url):
    try:
        return requests.get(url, timeout=1)
    except requests.ConnectionError:
        return None


def stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def test_first_run_creates_the_instance_and_serves(tmp_path):
    instance_path, port = tmp_path / "instance", free_port()
    subprocess.run([sys.executable, str(ROOT / "run.py"), "create-user", "ann@example.org",
                    "--identity", "ann", "--password-stdin", "--port", str(port),
                    "--instance-path", str(instance_path)],
                   input="password123\n", text=True, check=True, capture_output=True)
    server = start(instance_path, port)
    try:
        home = wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
        assert home.status_code == 200
        assert home.headers["Server"] == "mobilizon_lite"  # waitress, with our ident
        profile = requests.get(f"http://127.0.0.1:{port}/@ann", timeout=5)
        assert f"@ann@127.0.0.1:{port}" in profile.text
    finally:
        output = stop(server)
    assert "SECRET_KEY = " in (instance_path / "config.py").read_text()
    assert oct((instance_path / "config.py").stat().st_mode)[-3:] == "600"
    assert (instance_path / "mobilizon_lite.sqlite3").exists()
    assert "Scheduler started" in output


def test_base_url_comes_from_the_environment(tmp_path):
    instance_path, port = tmp_path / "instance", free_port()
    server = start(instance_path, port, env={"MOBILIZON_LITE_BASE_URL": "https://events.example.org"})
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
        response = requests.post(f"http://127.0.0.1:{port}/password/forgot", timeout=5)
        assert response.status_code == 400  # no CSRF token
        page = requests.get(f"http://127.0.0.1:{port}/@nobody", timeout=5)
        assert page.status_code == 404
    finally:
        stop(server)
    # Secure cookies follow an https BASE_URL even when the server itself listens on http.
    server = start(instance_path, port, env={"MOBILIZON_LITE_BASE_URL": "https://events.example.org"})
    try:
        session = requests.Session()
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
        response = session.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        stop(server)


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


def test_bodies_that_never_end_neither_hang_nor_stop_pages(tmp_path):
    instance_path, port = tmp_path / "instance", free_port()
    server = start(instance_path, port)
    sockets = []
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
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
        stop(server)


def test_a_banner_near_the_size_limit_still_uploads(tmp_path):
    instance_path, port = tmp_path / "instance", free_port()
    subprocess.run([sys.executable, str(ROOT / "run.py"), "create-user", "ann@example.org", "--identity", "ann",
                    "--password-stdin", "--port", str(port), "--instance-path", str(instance_path)],
                   input="password123\n", text=True, check=True, capture_output=True)
    noise = Image.frombytes("RGB", (1140, 1140), random.Random(1).randbytes(1140 * 1140 * 3))
    picture = io.BytesIO()
    noise.save(picture, "PNG")
    assert 3_500_000 < len(picture.getvalue()) <= DEFAULTS["PICTURE_MAX_BYTES"]
    server = start(instance_path, port)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(f"{base}/"))
        session = requests.Session()
        login = session.post(f"{base}/login", data={"email": "ann@example.org", "password": "password123",
                                                    "csrf_token": form_token(session, f"{base}/login")},
                             allow_redirects=False, timeout=10)
        assert login.status_code == 302
        fields = dict(event_fields(), csrf_token=form_token(session, f"{base}/events/new"))
        created = session.post(f"{base}/events/new", data=fields, files={"picture": ("big.png", picture.getvalue())},
                               allow_redirects=False, timeout=30)
        assert created.status_code == 302, created.text[-500:]
        page = session.get(base + created.headers["Location"], timeout=10).text
        assert re.search(r'<img[^>]+src="/uploads/[0-9a-f]{32}\.png"', page)
    finally:
        stop(server)


def form_token(session, url):
    return CSRF_RE.search(session.get(url, timeout=10).text).group(1)
