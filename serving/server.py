"""The one way to run the dashboard for a caller that needs it running: a free loopback port, start,
wait until `/healthz` answers 200, stop.

Two ways to start: `gunicorn(...)` runs `gunicorn app:server` in a child process (the meeting-pack
command, the concurrency test and the benchmarks), `in_thread(app)` serves a WSGI app already
loaded in this process from a thread (the browser tests, and the pack rendered by a running worker).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kcsp.settings import PROJECT_ROOT

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 20


class ServerError(RuntimeError):
    """The dashboard did not start (the message says why, with the end of its log)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    """True when `url`/healthz answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(url: str, *, alive: Callable[[], bool], why: Callable[[], str],
                 timeout: float = START_TIMEOUT_S) -> None:
    """Poll /healthz until it answers 200; ServerError when the server died or the time is up."""
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if not alive():
            raise ServerError(f"the dashboard stopped while starting: {why()}")
        if time.monotonic() > deadline:
            raise ServerError(f"the dashboard did not answer /healthz within {timeout:.0f} s: {why()}")
        time.sleep(0.2)


@dataclass
class Running:
    """A started server: its base URL, the child process (gunicorn only) and its log file."""

    url: str
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    startup_s: float = field(default=float("nan"))

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None:
            return ""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(store_dir: Path, *, workers: int = 1, env: dict[str, str] | None = None, log_path: Path | None = None,
             timeout: float = START_TIMEOUT_S, root: Path = PROJECT_ROOT, app: str = "app:server",
             binds: tuple[str, ...] = ()) -> Iterator[Running]:
    """`gunicorn app:server` (the project's gunicorn.conf.py) on a free loopback port against `store_dir`.

    `env` adds to (or, with a value of "", removes from) this process's environment. The log goes to
    `log_path`, or to a temporary file. Yields once /healthz answers; stops the server on exit.
    `root` runs another checkout of the project (the benchmarks compare an earlier commit), and `app`
    another WSGI app that answers /healthz (the benchmarks' bare Dash page). `binds` are more addresses
    to listen on as well, in gunicorn's form (`unix:/path/to.sock` for a proxy in front).
    """
    port = free_port()
    merged = {**os.environ, "KCSP_DATA_DIR": str(store_dir), "PYTHONUNBUFFERED": "1"}
    merged.pop("WEB_CONCURRENCY", None)
    merged.update(env or {})
    merged = {k: v for k, v in merged.items() if v != ""}
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"{LOOPBACK}:{port}",
               *(arg for bind in binds for arg in ("--bind", bind)),
               "--workers", str(workers), "--config", str(root / "gunicorn.conf.py")]
    with tempfile.TemporaryDirectory(prefix="kcsp-serve-") as scratch:
        path = log_path or Path(scratch) / "gunicorn.log"
        started = time.perf_counter()
        with open(path, "wb") as log:
            process = subprocess.Popen(command, cwd=root, env=merged, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        running = Running(f"http://{LOOPBACK}:{port}", process, path)
        try:
            wait_healthy(running.url, alive=lambda: process.poll() is None,
                         why=lambda: " | ".join(running.log_tail(5).splitlines()), timeout=timeout)
            running.startup_s = time.perf_counter() - started
            yield running
        finally:
            _stop(process)


def _start_in_thread(app, timeout: float):
    from werkzeug.serving import make_server

    server = make_server(LOOPBACK, free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kcsp-in-thread-server", daemon=True)
    thread.start()
    running = Running(f"http://{LOOPBACK}:{server.server_port}")
    try:
        wait_healthy(running.url, alive=thread.is_alive, why=lambda: "the server thread ended", timeout=timeout)
    except BaseException:
        server.shutdown()
        raise
    return server, thread, running


def serve_in_background(app, *, timeout: float = START_TIMEOUT_S) -> Running:
    """Serve the WSGI `app` of this process from a daemon thread for the rest of the process's life.

    Nothing stops it: it ends with the process (a shutdown at interpreter exit would wait for ever on
    a daemon thread that no longer runs)."""
    return _start_in_thread(app, timeout)[2]


@contextmanager
def in_thread(app, *, timeout: float = START_TIMEOUT_S) -> Iterator[Running]:
    """Serve the WSGI `app` of this process from a thread (threaded werkzeug) on a free loopback port,
    for the duration of the block."""
    server, thread, running = _start_in_thread(app, timeout)
    try:
        yield running
    finally:
        server.shutdown()
        thread.join(timeout=STOP_TIMEOUT_S)
