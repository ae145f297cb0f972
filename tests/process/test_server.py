"""python run.py as a real server: instance created on first run, waitress, scheduler, BASE_URL."""
import os
import subprocess
import sys
from pathlib import Path

import requests

from ..helpers import free_port, wait_until

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
