"""What gunicorn needs beyond its settings (gunicorn.conf.py): a threaded worker that slow, idle or
lingering clients cannot hold, the client's address when a proxy in front passes it
(deploy/nginx.conf), and gunicorn's own error answers (400, 414, 431...) with the same security
headers as the app's.

A connection costs a thread only once its request has arrived. Until then its worker's main loop
(gthread's poller) reads whatever the client sends, without blocking, into a buffer: the request
head and, when it gives a Content-Length up to MAX_BUFFERED_BODY, the body. A request that is not
all there REQUEST_DEADLINE_S after its connection was accepted is dropped, however slowly its bytes
trickle in (a timeout per read would restart with every byte), and so is a connection that sends
nothing in that time. The thread then parses the request from the buffer; anything it still has to
read (a chunked body, a larger one) must also come before the deadline. After the answer the
connection lingers in the poller, not in a thread, until the client closes it (LINGER_S at most).
Keep-alive is off (gunicorn.conf.py): every request is the first on its connection, so every one has
its deadline.
"""

from __future__ import annotations

import contextlib
import errno
import io
import ipaddress
import math
import os
import re
import selectors
import socket
import textwrap
import threading
import time
from collections import deque
from functools import partial

from gunicorn import util
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers import gthread

DEFAULT_REQUEST_DEADLINE_S = 10.0
APP_CONCURRENCY = 2
# Bodies up to this size (the app's default KCSP_MAX_BODY_BYTES) are read before a request gets a
# thread; larger ones are refused by the app from their Content-Length without being read.
MAX_BUFFERED_BODY = 2 * 1024 * 1024
# The longest one write of an answer may take, so a client that does not read holds a thread no longer.
SEND_TIMEOUT_S = 10
# After its answer a connection is closed once the client has closed its side, or after this long.
LINGER_S = 2.0
LINGER_MAX_BYTES = 64 * 1024
# Connections a worker holds while their requests arrive; past this the oldest is dropped.
MAX_WAITING = 512
ERROR_HEADER_FIELDS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
ERROR_HEADERS = "".join(f"{name}: {value}\r\n" for name, value in ERROR_HEADER_FIELDS)
_BARE_LF = re.compile(rb"(?<!\r)\n")


def request_deadline_s(environ=os.environ) -> float:
    """KCSP_REQUEST_DEADLINE_S: seconds from a connection's accept to the end of its request."""
    raw = environ.get("KCSP_REQUEST_DEADLINE_S", "")
    if not raw:
        return DEFAULT_REQUEST_DEADLINE_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise RuntimeError(f"KCSP_REQUEST_DEADLINE_S must be a number of seconds above 0 (it is {raw!r})")
    return value


REQUEST_DEADLINE_S = request_deadline_s()
# The name of the per-read timeout this deadline replaced (tests/test_server_hardening.py uses it).
READ_TIMEOUT_S = REQUEST_DEADLINE_S


def max_head_bytes(cfg) -> int:
    """The most bytes of a request head gunicorn's parser accepts with these limits."""
    line = cfg.limit_request_line or 8190
    field = cfg.limit_request_field_size or 8190
    return line + 2 + cfg.limit_request_fields * (field + 2) + 4


def body_to_buffer(head: bytes) -> int:
    """How much body to read with the head `head` (ending with its blank line) before the request gets
    a thread: its Content-Length if it gives one, alone, up to MAX_BUFFERED_BODY; else none.

    Only a read-ahead: gunicorn's parser still decides what the request is. A chunked body is read by
    the app; `Expect: 100-continue` waits for gunicorn's answer before the body comes."""
    lengths = []
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in (b"transfer-encoding", b"expect"):
            return 0
        if name == b"content-length":
            lengths.append(value.strip())
    if len(lengths) == 1 and lengths[0].isdigit() and int(lengths[0]) <= MAX_BUFFERED_BODY:
        return int(lengths[0])
    return 0


class DeadlineUnreader(SocketUnreader):
    """gunicorn's socket reader starting with the bytes already received; every further read waits at
    most until the request's deadline (TimeoutError after it, which the app answers with 408)."""

    def __init__(self, sock, deadline: float, received: bytes):
        super().__init__(sock)
        self.deadline = deadline
        self.unread(received)

    def chunk(self, size_hint=None):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the request was not sent within {REQUEST_DEADLINE_S:g} s")
        self.sock.settimeout(left)
        try:
            return super().chunk(size_hint)
        finally:
            self.sock.settimeout(SEND_TIMEOUT_S)


class DeadlineConn(gthread.TConn):
    """A connection whose request is read into a buffer by the worker's poller until it is all there."""

    def __init__(self, cfg, sock, client, server, deadline: float):
        super().__init__(cfg, sock, client, server)
        self.deadline = deadline
        self.received = bytearray()
        self.scanned = 0
        self.wanted: int | None = None
        self.drained = 0
        # The request is read already: gthread's handle() must not wait for data again.
        self.data_ready = True

    def recv_size(self) -> int:
        if self.wanted is None:
            return 65536
        return max(65536, min(self.wanted - len(self.received), 1024 * 1024))

    def add(self, data: bytes) -> bool:
        """Keep `data`; True once the head and the body to buffer are all there, or once the head is
        malformed in a way gunicorn refuses at once (a bare LF)."""
        self.received += data
        if self.wanted is None:
            start = max(self.scanned - 3, 0)
            end = self.received.find(b"\r\n\r\n", start)
            if end < 0:
                self.scanned = len(self.received)
                return _BARE_LF.search(self.received, start) is not None
            head_end = end + 4
            self.wanted = head_end + body_to_buffer(bytes(self.received[:head_end]))
        return len(self.received) >= self.wanted

    def init(self):
        if self.initialized:
            return
        super().init()
        self.sock.settimeout(SEND_TIMEOUT_S)
        self.parser.unreader = DeadlineUnreader(self.sock, self.deadline, bytes(self.received))
        self.received = bytearray()


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker whose poller, not its threads, waits for requests to arrive and for
    clients to close after their answer. `nr_conns` (what gunicorn's worker_connections caps before
    the worker stops accepting) counts only the connections given to threads."""

    @classmethod
    def check_config(cls, cfg, log):
        super().check_config(cfg, log)
        unsupported = [what for what, used in (
            ("keep-alive (set keepalive = 0)", cfg.keepalive),
            ("TLS (terminate it at the proxy, deploy/nginx.conf)", cfg.is_ssl),
            ("HTTP/2 over cleartext", cfg.http2_cleartext != "off"),
            ("the PROXY protocol", cfg.proxy_protocol != "off"),
            (f"the {cfg.protocol} protocol", cfg.protocol != "http"),
        ) if used]
        if unsupported:
            raise RuntimeError(f"serving.workers.ThreadWorker reads plain HTTP/1 requests, one per connection; "
                               f"turn off {', '.join(unsupported)}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both in the order of their deadlines (a fixed time after they were added).
        self.waiting: dict[DeadlineConn, None] = {}
        self.lingering: dict[DeadlineConn, None] = {}
        self.max_head = max_head_bytes(self.cfg)

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as err:
            if err.errno in (errno.EMFILE, errno.ENFILE):
                self.drop_oldest_waiting()
                return
            if err.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        if len(self.waiting) >= MAX_WAITING:
            self.drop_oldest_waiting()
        conn = DeadlineConn(self.cfg, client_sock, client_addr, listener.getsockname(),
                            deadline=time.monotonic() + REQUEST_DEADLINE_S)
        self.waiting[conn] = None
        self.poller.register(client_sock, selectors.EVENT_READ, partial(self.on_request_data, conn))

    def on_request_data(self, conn: DeadlineConn, sock) -> None:
        if conn not in self.waiting:
            return  # dropped earlier in the same round of events
        try:
            data = sock.recv(conn.recv_size())
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data and conn.add(data):
            self.forget(self.waiting, conn)
            self.nr_conns += 1
            self.enqueue_req(conn)
        elif not data or (conn.wanted is None and len(conn.received) > self.max_head):
            self.forget(self.waiting, conn)
            conn.close()

    def finish_request(self, conn: DeadlineConn, fs):
        """A thread is done with the connection (on the main thread): send FIN and let it linger."""
        self.nr_conns -= 1
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_linger_data, conn))
        except (OSError, ValueError, KeyError):
            conn.close()
            return
        conn.deadline = time.monotonic() + LINGER_S
        self.lingering[conn] = None

    def on_linger_data(self, conn: DeadlineConn, sock) -> None:
        """Read and drop what the client still sends (closing with unread bytes would reset the
        connection and could cut off the answer), until it closes or sends too much."""
        if conn not in self.lingering:
            return
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.drained += len(data)
        if not data or conn.drained >= LINGER_MAX_BYTES:
            self.forget(self.lingering, conn)
            conn.close()

    def murder_pending(self):
        """Run by gunicorn's main loop about once a second: also close the connections past their
        deadline, waiting for a request or lingering after an answer."""
        super().murder_pending()
        now = time.monotonic()
        for pool in (self.waiting, self.lingering):
            while pool:
                conn = next(iter(pool))
                if conn.deadline > now:
                    break
                self.forget(pool, conn)
                conn.close()

    def drop_oldest_waiting(self) -> None:
        if self.waiting:
            conn = next(iter(self.waiting))
            self.forget(self.waiting, conn)
            conn.close()

    def forget(self, pool: dict, conn: DeadlineConn) -> None:
        pool.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError):
            self.poller.unregister(conn.sock)


class FairSlots:
    """A counting semaphore that serves waiters in the order they came (threading's may let a late
    arrival in first, so under load one request could wait far longer than the rest)."""

    def __init__(self, count: int):
        self._lock = threading.Lock()
        self._free = count
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self):
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()
        return self

    def __exit__(self, *exc):
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


PLACES_KEY = "kcsp.app_places"
"""The environ key under which BoundedApp hands a request the places in the app it holds one of."""


class BoundedApp:
    """WSGI middleware: at most `limit` requests of a worker run the app at once (the threads are for
    slow clients, not for more Python at once: under the GIL, sixteen threads building the same
    page make each wait sixteen times as long). A request's body is read before it queues, so a
    slow sender never holds a place in the app."""

    def __init__(self, app, limit: int = APP_CONCURRENCY):
        self.app = app
        self.places = FairSlots(limit)

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit() and 0 < int(length) <= MAX_BUFFERED_BODY:
            try:
                environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
            except TimeoutError:
                start_response("408 Request Timeout", [("Content-Type", "text/plain; charset=utf-8"),
                                                       *ERROR_HEADER_FIELDS])
                return [b"the request body was not sent in time\n"]
        environ[PLACES_KEY] = self.places
        with self.places:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


class ClientFromProxy:
    """WSGI middleware: a request that came in on a unix socket came through the proxy in front
    (deploy/: only the proxy may connect to that socket), so its client is the address the proxy
    put in X-Forwarded-For, not the socket's (which has none). A request on a TCP port keeps its
    peer's address: whatever it says in X-Forwarded-For could be made up."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is not None and sock.family == socket.AF_UNIX:
            forwarded = environ.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
            with contextlib.suppress(ValueError):
                environ["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
        return self.app(environ, start_response)


def wrap_app(worker) -> None:
    """gunicorn's post_worker_init hook: the loaded app behind ClientFromProxy and BoundedApp."""
    worker.wsgi = BoundedApp(ClientFromProxy(worker.wsgi))


def write_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error, with the security headers and a plain-text body."""
    body = f"{reason}\n{mesg}\n"
    head = textwrap.dedent(f"""\
        HTTP/1.1 {status_int} {reason}\r
        Connection: close\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Length: {len(body.encode('utf-8'))}\r
        """) + ERROR_HEADERS + "\r\n"
    util.write_nonblock(sock, head.encode("latin1") + body.encode("utf-8"))


def harden_gunicorn_errors() -> None:
    """Make gunicorn's own error answers (written before the app sees a request) use write_error."""
    util.write_error = write_error
