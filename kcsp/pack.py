"""The meeting pack as a PDF, rendered offline by headless Chromium (the Debian package).

`meeting_pack()` starts the dashboard with gunicorn on a free loopback port against the chosen
store, opens `/meeting?meeting=YYYY-MM-DD&pack=1` in headless Chromium, waits until every chart
of the pack has drawn, and prints it with the print stylesheet: one A4 page per priority.
Chromium is driven over the DevTools protocol through a pipe (``--remote-debugging-pipe``), so no
browser port is opened and no Python package beyond the standard library is needed.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kcsp import meetings
from kcsp.settings import PROJECT_ROOT
from kcsp.store import Store

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
START_TIMEOUT_S = 90
DRAW_TIMEOUT_S = 90

READY_SCRIPT = """(() => {
  if (document.querySelector('.dash-fe-error__title, .dash-debug-menu__error')) { return 'error: the page failed'; }
  const problem = document.getElementById('meeting-error');
  if (problem) { return 'error: ' + problem.innerText; }
  const view = document.getElementById('pack-view');
  if (!view || document.querySelector('._dash-loading')) { return 'loading'; }
  const want = Number(view.dataset.charts || 0);
  const plots = Array.from(view.querySelectorAll('.js-plotly-plot'));
  const drawn = plots.filter((p) => p.querySelector('.main-svg g[class$="tick"] text') !== null).length;
  return (plots.length >= want && drawn >= want) ? 'ready:' + view.querySelectorAll('.pack-page').length : 'drawing';
})()"""

SETTLE_SCRIPT = "document.fonts.ready.then(() => new Promise((done) => setTimeout(() => done(true), 300)))"


class PackError(RuntimeError):
    """The pack could not be rendered (the message says why)."""


@dataclass(frozen=True)
class PackResult:
    path: Path
    pages: int
    sections: int
    meeting: meetings.Meeting


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PackError("meeting-pack needs Chromium: install the Debian packages chromium and chromium-driver "
                    "(make browser-deps)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve(store_dir: Path, *, timeout: float = START_TIMEOUT_S) -> Iterator[str]:
    """The dashboard on a free loopback port, reading `store_dir`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "KCSP_DATA_DIR": str(store_dir), "KCSP_SECRET_KEY": secrets.token_hex(32),
           "KCSP_REQUIRE_LOGIN": "0"}
    env.pop("WEB_CONCURRENCY", None)
    command = [sys.executable, "-m", "gunicorn", "app:server", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--config", str(PROJECT_ROOT / "gunicorn.conf.py")]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while not _healthy(f"{base}/healthz"):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace").strip().splitlines()[-5:]
                    raise PackError("the dashboard did not start: " + " | ".join(tail))
                time.sleep(0.25)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4 of the browser)."""

    def __init__(self, binary: str, profile: str):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def give_pipes():
            keep_in, keep_out = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(keep_in, 3)
            os.dup2(keep_out, 4)

        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio", "about:blank"]
        self._process = subprocess.Popen(args, preexec_fn=give_pipes, close_fds=False,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise PackError("Chromium closed unexpectedly") from None
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise PackError(f"Chromium: {method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise PackError("Chromium closed unexpectedly")
            self._buffer += chunk

    def evaluate(self, session: str, expression: str, *, await_promise: bool = False):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise}, session)
        return result.get("result", {}).get("value")

    def close(self) -> None:
        with suppress(PackError):
            self.call("Browser.close")
        for fd in (self._to_browser, self._from_browser):
            with suppress(OSError):
                os.close(fd)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def print_to_pdf(url: str, *, binary: str, timeout: float = DRAW_TIMEOUT_S) -> tuple[bytes, int]:
    """Open `url`, wait for every pack chart to draw, print with the page's CSS page size.

    Returns the PDF and the number of pack sections on the page.
    """
    with tempfile.TemporaryDirectory(prefix="kcsp-chromium-") as profile:
        browser = Browser(binary, profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
            browser.call("Page.navigate", {"url": url}, session)
            deadline = time.monotonic() + timeout
            state = "loading"
            while not str(state).startswith("ready"):
                if str(state).startswith("error"):
                    raise PackError(f"the meeting pack page reports an {state}")
                if time.monotonic() > deadline:
                    raise PackError(f"the pack's charts did not finish drawing within {timeout:.0f} s ({state})")
                time.sleep(0.25)
                state = browser.evaluate(session, READY_SCRIPT) or "loading"
            browser.evaluate(session, SETTLE_SCRIPT, await_promise=True)
            pdf = browser.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                   "displayHeaderFooter": False}, session)
            return base64.b64decode(pdf["data"]), int(str(state).split(":", 1)[1])
        finally:
            browser.close()


def count_pages(pdf: bytes) -> int:
    """Pages in a PDF as Chromium writes it (page objects are not compressed into object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def choose_meeting(store: Store, value: str | None, today: pd.Timestamp | None = None) -> meetings.Meeting:
    """The meeting asked for (YYYY-MM-DD) or the default one; MeetingError when there is none."""
    table = store.read("meetings")
    today = pd.Timestamp.today().normalize() if today is None else today
    return meetings.meeting_view(table, value, today).meeting


def meeting_pack(store_dir: Path, out: Path, meeting: str | None = None) -> PackResult:
    """Render the pack of a meeting (default: the next one) from `store_dir` into the PDF `out`."""
    store = Store(store_dir)
    chosen = choose_meeting(store, meeting)
    binary = find_browser()
    with serve(store.root) as base:
        pdf, sections = print_to_pdf(f"{base}/meeting?meeting={chosen.iso}&pack=1", binary=binary)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(pdf)
    partial.replace(out)
    return PackResult(out, count_pages(pdf), sections, chosen)
