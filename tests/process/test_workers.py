"""run.py serve --workers 2: two processes answer on one port, and a create form posted twice, once to
each, makes one event."""
import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlencode

from ..harness import CSRF_RE, RunningInstance, run_py, wait_until
from ..helpers import event_fields

SUBMISSION_RE = re.compile(r'name="submission"[^>]*value="([^"]+)"')


def children(pid):
    """The pids of the processes whose parent is pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdecimal():
            try:
                # The command may hold spaces and parentheses: the fields after its closing one.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def serving_pid(connection, pids):
    """Which of pids holds the server's end of this (IPv4 loopback) connection, read from the kernel's tables."""
    client_port = connection.sock.getsockname()[1]
    server_port = connection.sock.getpeername()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    assert inode is not None
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def request(connection, method, path, cookie, body=None):
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read().decode()


def test_two_workers_answer_on_one_port_and_know_each_others_form_tokens(tmp_path, instance_env):
    server = RunningInstance(tmp_path / "instance", env=instance_env, serve_args=["--workers", "2"])
    server.create_user("ann")
    with server:
        workers = wait_until(lambda: len(children(server.process.pid)) == 2 and children(server.process.pid))
        session = server.session("ann@example.org")
        session.get(server.base + "/events/new", timeout=10)  # the session now holds its CSRF secret
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        served = {}
        for _ in range(60):
            connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
            response, page = request(connection, "GET", "/events/new", cookie)
            assert response.status == 200
            pid = serving_pid(connection, workers)
            if pid in served:
                connection.close()
            else:
                served[pid] = (connection, page)
            if len(served) == 2:
                break
        assert set(served) == set(workers)  # one port, answered by both processes

        [(one, page), (other, _page)] = served.values()
        fields = urlencode(dict(event_fields(), csrf_token=CSRF_RE.search(page)[1],
                                submission=SUBMISSION_RE.search(page)[1]))
        first, _body = request(one, "POST", "/events/new", cookie, fields)
        assert first.status == 302
        again, _body = request(other, "POST", "/events/new", cookie, fields)
        assert again.status == 303 and again.headers["Location"] == first.headers["Location"]
        for connection, _page in served.values():
            connection.close()
    assert server.query("SELECT count(*) AS n FROM event") == [{"n": 1}]


def test_a_number_of_workers_below_one_is_refused_with_a_message(tmp_path):
    for wrong in ("0", "two", "-1"):
        result = run_py("serve", "--workers", wrong, "--instance-path", str(tmp_path / "instance"))
        assert result.returncode == 2 and "at least 1" in result.stderr, result.stderr
    assert not (tmp_path / "instance").exists()
