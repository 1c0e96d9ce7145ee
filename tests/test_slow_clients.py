"""Slow and idle clients cost the site nothing. gunicorn (the project's gunicorn.conf.py, one worker,
on a loopback port and a unix socket) is held by 32 connections that send nothing, 8 that trickle a
request head a byte every 4 s (each replaced when it is cut off) and 8 that send a request and then
neither read the answer nor close; meanwhile /healthz answers within 2 s, and the idle and trickling
connections are cut off at the request deadline, not before. The same again through Debian's nginx
running the repository's deploy/nginx.conf in front. Behind nginx the app sees the client's address
(not one the client made up), nginx's own answers carry the security headers, and gunicorn opens no
control socket."""

from __future__ import annotations

import os
import pwd
import re
import select
import shutil
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from serving import server as serving_server
from serving.workers import REQUEST_DEADLINE_S
from tests.support import gunicorn_on_a_copy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SITE_CONF = ROOT / "deploy" / "nginx.conf"
LOOPBACK = serving_server.LOOPBACK
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
IDLE, TRICKLING, HANGERS_ON = 32, 8, 8
TRICKLE_EVERY_S = 4
ATTACK_S = 15
PROBE_LIMIT_S = 2
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 32 + b"\r\n\r\n"


@dataclass
class Held:
    """One connection of the attack: when it was opened and when the server closed it."""

    sock: socket.socket
    trickles: bool
    opened: float = field(default_factory=time.monotonic)
    closed: float | None = None
    sent: int = 0
    next_send: float = 0.0


class Attack:
    """Keeps IDLE idle and TRICKLING trickling connections open to a loopback port, opening another
    whenever the server closes one, and HANGERS_ON that sent a whole request and do nothing more."""

    def __init__(self, port: int):
        self.port = port
        self.held: list[Held] = []
        self.hangers_on: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def _open(self, trickles: bool) -> None:
        held = Held(socket.create_connection((LOOPBACK, self.port), timeout=5), trickles)
        held.sock.setblocking(False)
        held.next_send = held.opened
        self.held.append(held)

    def __enter__(self) -> Attack:
        for _ in range(HANGERS_ON):
            sock = socket.create_connection((LOOPBACK, self.port), timeout=5)
            sock.sendall(REQUEST)
            self.hangers_on.append(sock)
        for i in range(IDLE + TRICKLING):
            self._open(trickles=i >= IDLE)
        self.thread.start()
        return self

    def _closed(self, held: Held) -> None:
        held.closed = time.monotonic()
        held.sock.close()
        self._open(held.trickles)

    def _run(self) -> None:
        while not self.stop.is_set():
            open_now = [held for held in self.held if held.closed is None]
            readable, _, _ = select.select([held.sock for held in open_now], [], [], 0.2)
            now = time.monotonic()
            for held in open_now:
                try:
                    if held.sock in readable and not held.sock.recv(4096):
                        self._closed(held)
                    elif held.trickles and now >= held.next_send:
                        held.sock.send(REQUEST[held.sent % len(REQUEST):][:1])
                        held.sent += 1
                        held.next_send = now + TRICKLE_EVERY_S
                except BlockingIOError:
                    pass
                except OSError:
                    self._closed(held)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)
        for sock in [held.sock for held in self.held] + self.hangers_on:
            sock.close()


def probes(url: str, seconds: float) -> list[tuple[int, float]]:
    """GET /healthz about once a second for `seconds`: (status, seconds it took) of each."""
    answers = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        status = requests.get(f"{url}/healthz", timeout=PROBE_LIMIT_S + 8).status_code
        answers.append((status, round(time.monotonic() - started, 2)))
        time.sleep(max(0.0, started + 1 - time.monotonic()))
    return answers


def check_attack_is_harmless(url: str, port: int, deadline_s: float) -> None:
    with Attack(port) as attack:
        answers = probes(url, ATTACK_S)
        ended = time.monotonic()
    assert len(answers) >= ATTACK_S // 2
    assert all(status == 200 for status, _ in answers), answers
    assert max(took for _, took in answers) < PROBE_LIMIT_S, answers
    # Every connection open long enough was held until the deadline (so the probes ran against all
    # of them), then cut off.
    due = [held for held in attack.held if held.opened <= ended - deadline_s - 3]
    assert len(due) >= IDLE + TRICKLING
    lifetimes = sorted(round(held.closed - held.opened, 1) if held.closed else None for held in due)
    assert all(held.closed is not None and deadline_s - 1 <= held.closed - held.opened <= deadline_s + 3
               for held in due), lifetimes
    assert all(held.sent >= 2 for held in due if held.trickles), "the trickling connections did not trickle"


@dataclass
class Servers:
    gunicorn: serving_server.Running
    port: int
    unix_socket: Path
    home: Path


@pytest.fixture(scope="module")
def servers(tmp_path_factory, demo_store):
    """gunicorn, one worker, on a loopback port and on a unix socket (for nginx), with a HOME of its
    own (where gunicorn would put its default control socket)."""
    base = tmp_path_factory.mktemp("slow")
    home = base / "home"
    home.mkdir()
    unix_socket = base / "gunicorn.sock"
    with gunicorn_on_a_copy(base, demo_store, env={"HOME": str(home), "XDG_RUNTIME_DIR": ""},
                            binds=(f"unix:{unix_socket}",)) as running:
        yield Servers(running, int(running.url.rsplit(":", 1)[1]), unix_socket, home)


def site_conf(port: int, unix_socket: Path) -> str:
    """deploy/nginx.conf listening on the loopback `port` and proxying to `unix_socket`."""
    text = SITE_CONF.read_text()
    for old, new in (("listen 80;", f"listen {LOOPBACK}:{port};"),
                     ("unix:/run/kcsp/gunicorn.sock", f"unix:{unix_socket}")):
        assert text.count(old) == 1, f"deploy/nginx.conf should have {old!r} once, for the test to replace"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def nginx(servers, tmp_path_factory):
    """Debian's nginx in the foreground with deploy/nginx.conf, in front of the gunicorn above: its URL."""
    if NGINX is None:
        pytest.skip("nginx is not installed (`make proxy-deps` installs Debian's nginx)")
    base = tmp_path_factory.mktemp("nginx")
    port = serving_server.free_port()
    (base / "kcsp.conf").write_text(site_conf(port, servers.unix_socket))
    temp_paths = "\n".join(f"    {kind}_temp_path {base / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (base / "nginx.conf").write_text(f"""\
daemon off;
worker_processes 1;
user {pwd.getpwuid(os.getuid()).pw_name};
pid {base / "nginx.pid"};
events {{
    worker_connections 512;
}}
http {{
    access_log {base / "access.log"};
{temp_paths}
    include {base / "kcsp.conf"};
}}
""")
    log = base / "error.log"
    process = subprocess.Popen([NGINX, "-p", str(base), "-c", str(base / "nginx.conf"), "-e", str(log)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://{LOOPBACK}:{port}"
    try:
        serving_server.wait_healthy(url, alive=lambda: process.poll() is None, timeout=20,
                                    why=lambda: log.read_text(errors="replace")[-500:] if log.exists() else "")
        yield url, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def nginx_deadline_s() -> float:
    match = re.search(r"client_header_timeout (\d+)s;", SITE_CONF.read_text())
    assert match, "deploy/nginx.conf should set client_header_timeout in seconds"
    return float(match.group(1))


def answer_head(port: int, request: bytes, source: str | None = None) -> bytes:
    """The head (status line and headers) of the answer to the raw `request`."""
    with socket.create_connection((LOOPBACK, port), timeout=10,
                                  source_address=(source, 0) if source else None) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.split(b"\r\n\r\n", 1)[0]


def test_slow_and_idle_clients_do_not_hold_gunicorn(servers):
    check_attack_is_harmless(servers.gunicorn.url, servers.port, REQUEST_DEADLINE_S)


def test_slow_and_idle_clients_do_not_hold_nginx_in_front(nginx):
    url, port = nginx
    check_attack_is_harmless(url, port, nginx_deadline_s())


def test_behind_nginx_the_app_sees_the_clients_own_address(servers, nginx):
    _, port = nginx

    def logged_address(port: int, source: str) -> str:
        marker = f"kcsp-{uuid.uuid4().hex}"
        request = (f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {marker}\r\n"
                   "X-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n").encode()
        assert answer_head(port, request, source).startswith(b"HTTP/1.1 200")
        give_up = time.monotonic() + 5
        while time.monotonic() < give_up:
            lines = [line for line in servers.gunicorn.log_tail(200).splitlines() if marker in line]
            if lines:
                return lines[0].split(" ", 1)[0]
            time.sleep(0.1)
        raise AssertionError(f"no access log line for {marker}")

    # Through nginx on the unix socket: the address nginx saw, not the one the client wrote.
    assert logged_address(port, "127.0.0.2") == "127.0.0.2"
    # Straight to gunicorn's TCP port: X-Forwarded-For is not believed.
    assert logged_address(servers.port, "127.0.0.3") == "127.0.0.3"


def test_nginx_refuses_an_oversized_body_itself_with_the_security_headers(nginx):
    _, port = nginx
    refused = answer_head(port, b"POST /api/action-updates HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (2 * 1024 * 1024 + 1))
    assert refused.startswith(b"HTTP/1.1 413")
    for header in (b"content-security-policy: default-src 'none'", b"x-content-type-options: nosniff",
                   b"x-frame-options: deny", b"cache-control: no-store"):
        assert header in refused.lower(), header
    # The app's own answers keep the app's headers, once.
    served = answer_head(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").lower()
    assert served.startswith(b"http/1.1 200")
    assert served.count(b"content-security-policy:") == 1 and b"default-src 'self'" in served
    assert served.count(b"x-content-type-options:") == 1


def test_gunicorn_opens_no_control_socket(servers):
    assert not (servers.home / ".gunicorn").exists()
    assert "control socket" not in servers.gunicorn.log_tail(200).lower()
