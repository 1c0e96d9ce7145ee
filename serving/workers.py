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
import textwrap

from gunicorn import util
from gunicorn.workers import gthread

READ_TIMEOUT_S = 10
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
