"""The real server (gunicorn with gunicorn.conf.py, three workers, on a loopback port) against slow
and hostile clients: half-open connections do not stall it, the sign-in limit holds across workers,
a large body is refused with 413, and gunicorn's own error answers carry the security headers."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.support import gunicorn_on_a_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_store):
    """gunicorn with three workers (the project's gunicorn.conf.py) on a copy of the demo store."""
    with gunicorn_on_a_copy(tmp_path_factory.mktemp("server"), demo_store, workers=3,
                            env={"KCSP_SIGN_IN_LIMIT": "10 per 10 minutes"}) as running:
        yield running.url, int(running.url.rsplit(":", 1)[1])


def raw(port: int, data: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_six_half_open_connections_do_not_stall_the_site(server):
    url, port = server
    held = []
    try:
        for i in range(6):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        for _ in range(3):
            assert requests.get(f"{url}/", timeout=5).status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in held:
            sock.close()


def test_a_half_sent_request_is_dropped_after_the_read_timeout(server):
    from serving.workers import READ_TIMEOUT_S

    _, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_S + 10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert sock.recv(1024) == b""
        assert time.monotonic() - started < READ_TIMEOUT_S + 5


def test_wrong_passwords_are_limited_across_workers(server):
    url, _ = server
    codes = [requests.get(f"{url}/api/actions.csv", auth=("admin", f"guess-{i}"), timeout=10).status_code
             for i in range(30)]
    assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}


def test_a_20_mb_body_gets_413(server):
    _, port = server
    head = (b"POST /api/action-updates HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (20 * 1024 * 1024))
    answer = raw(port, head + b"{" * 1024)
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("request_bytes,status", [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
    (b"NOT A REQUEST\r\n\r\n", b"400"),
])
def test_gunicorns_own_errors_carry_the_security_headers(server, request_bytes, status):
    _, port = server
    answer = raw(port, request_bytes)
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert answer.split(b" ")[1] == status
    for name in (b"x-content-type-options: nosniff", b"x-frame-options: deny", b"content-security-policy:",
                 b"cache-control: no-store"):
        assert name in head, name


def test_requests_wait_for_the_app_in_the_order_they_came():
    import threading

    from serving.workers import FairSlots

    slots, order = FairSlots(1), []
    slots.__enter__()

    def request(number: int) -> None:
        with slots:
            order.append(number)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    slots.__exit__(None, None, None)
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]
