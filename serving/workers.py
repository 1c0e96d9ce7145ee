"""What gunicorn needs beyond its settings (gunicorn.conf.py): a threaded worker whose connections
time out when a client stops sending, and gunicorn's own error answers (400, 414, 431...) with the
same security headers as the app's.

Threads (gthread) let a worker serve other requests while some connections are slow; gunicorn
already hands a connection that has sent nothing back to its poller after a few seconds. A client
that sends part of a request and stops would still hold a thread for ever: here every read on a
connection times out after READ_TIMEOUT_S, which frees the thread. Keep-alive is off
(gunicorn.conf.py) so that every request is the first on its connection and gets that timeout.
"""

from __future__ import annotations

import errno
import io
import textwrap
import threading
from collections import deque

from gunicorn import util
from gunicorn.workers import gthread

READ_TIMEOUT_S = 10
APP_CONCURRENCY = 2
# Bodies up to this size are read before a request waits for the app; larger ones are refused by the
# app (KCSP_MAX_BODY_BYTES) from their Content-Length without being read.
MAX_BUFFERED_BODY = 8 * 1024 * 1024
ERROR_HEADERS = (
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Cache-Control: no-store\r\n"
)


class TimedConn(gthread.TConn):
    def init(self):
        first = not self.initialized
        super().init()
        if first:
            self.sock.settimeout(READ_TIMEOUT_S)


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's gthread worker with TimedConn connections."""

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        self.nr_conns += 1
        client_sock.setblocking(True)
        self.enqueue_req(TimedConn(self.cfg, client_sock, client_addr, listener.getsockname()))


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


class BoundedApp:
    """WSGI middleware: at most `limit` requests of a worker run the app at once (the threads are for
    slow clients, not for more Python at once: under the GIL, sixteen threads building the same
    page make each wait sixteen times as long). A request's body is read before it queues, so a
    slow sender holds a thread but never a place in the app."""

    def __init__(self, app, limit: int = APP_CONCURRENCY):
        self.app = app
        self.places = FairSlots(limit)

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit() and 0 < int(length) <= MAX_BUFFERED_BODY:
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
        with self.places:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


def limit_app_concurrency(worker) -> None:
    """gunicorn's post_worker_init hook: wrap the loaded app in BoundedApp."""
    worker.wsgi = BoundedApp(worker.wsgi)


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
