"""Headless Chromium (the Debian package) driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``): no browser port is opened and no Python package is needed.

`print_to_pdf` opens a page, waits until a script run in the page says it is ready, and prints it
with the page's own print stylesheet and page size.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import suppress

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
SETTLE_SCRIPT = "document.fonts.ready.then(() => new Promise((done) => setTimeout(() => done(true), 300)))"


class ChromiumError(RuntimeError):
    """Chromium is missing, failed, or the page did not get ready (the message says why)."""


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumError("the meeting pack needs Chromium: install the Debian packages chromium and chromium-driver "
                        "(make browser-deps)")


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
            raise ChromiumError("Chromium closed unexpectedly") from None
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next_id:
                    if "error" in reply:
                        raise ChromiumError(f"Chromium: {method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise ChromiumError("Chromium closed unexpectedly")
            self._buffer += chunk

    def evaluate(self, session: str, expression: str, *, await_promise: bool = False):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise}, session)
        return result.get("result", {}).get("value")

    def close(self) -> None:
        with suppress(ChromiumError):
            self.call("Browser.close")
        for fd in (self._to_browser, self._from_browser):
            with suppress(OSError):
                os.close(fd)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def print_to_pdf(url: str, *, ready_script: str, timeout: float, headers: dict[str, str] | None = None,
                 binary: str | None = None) -> tuple[bytes, str]:
    """Open `url` (sending `headers` with every request), wait until `ready_script` returns a string
    starting "ready" (one starting "error" stops with that message), print with the CSS page size.

    Returns the PDF and the last value of `ready_script`.
    """
    binary = binary or find_browser()
    with tempfile.TemporaryDirectory(prefix="kcsp-chromium-") as profile:
        browser = Browser(binary, profile)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Emulation.setDeviceMetricsOverride",
                         {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
            if headers:
                browser.call("Network.enable", {}, session)
                browser.call("Network.setExtraHTTPHeaders", {"headers": headers}, session)
            browser.call("Page.navigate", {"url": url}, session)
            deadline = time.monotonic() + timeout
            state = "loading"
            while not str(state).startswith("ready"):
                if str(state).startswith("error"):
                    raise ChromiumError(f"the page reports an {state}")
                if time.monotonic() > deadline:
                    raise ChromiumError(f"the page did not finish drawing within {timeout:.0f} s ({state})")
                time.sleep(0.25)
                state = browser.evaluate(session, ready_script) or "loading"
            browser.evaluate(session, SETTLE_SCRIPT, await_promise=True)
            pdf = browser.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                   "displayHeaderFooter": False}, session)
            return base64.b64decode(pdf["data"]), str(state)
        finally:
            browser.close()
