"""Headless Chromium (the Debian package) driven over the DevTools protocol through a pipe
(``--remote-debugging-pipe``): no browser port is opened and no Python package is needed.

`Browser.print_to_pdf` opens a page in a browser context of its own (cookies, storage and cache
apart from every other page the browser prints), waits until a script run in the page says it is
ready, and prints it with the page's own print stylesheet and page size. `print_to_pdf` does the
same in a browser started for that page only (the command line); `SharedBrowser` keeps one browser
for a process that prints many (the web's pack renders, serving.render_queue).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
SETTLE_SCRIPT = "document.fonts.ready.then(() => new Promise((done) => setTimeout(() => done(true), 300)))"
CALL_TIMEOUT_S = 30
"""The longest any one DevTools call may take; a browser that does not answer in time is stopped."""
CLOSE_TIMEOUT_S = 5


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
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4 of the browser).

    Threads may share it: one call is on the pipe at a time. A call that fails on the pipe (the browser
    closed, or did not answer within its timeout) leaves the browser `broken`; every later call fails.
    """

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
        self._lock = threading.Lock()
        self.broken = False

    def alive(self) -> bool:
        return not self.broken and self._process.poll() is None

    def call(self, method: str, params: dict | None = None, session: str | None = None, *,
             timeout: float = CALL_TIMEOUT_S) -> dict:
        message = {"method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        with self._lock:
            if self.broken:
                raise ChromiumError("Chromium stopped answering")
            self._next_id += 1
            try:
                reply = self._exchange({"id": self._next_id, **message}, time.monotonic() + timeout)
            except (ChromiumError, OSError, ValueError) as err:
                self.broken = True
                raise ChromiumError(f"Chromium: {method}: {err}") from None
        if "error" in reply:
            raise ChromiumError(f"Chromium: {method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def _exchange(self, message: dict, deadline: float) -> dict:
        """Send `message` and read until its reply (events and late replies are dropped)."""
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise ChromiumError("closed unexpectedly") from None
        reader = select.poll()
        reader.register(self._from_browser, select.POLLIN)
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == message["id"]:
                    return reply
            left = deadline - time.monotonic()
            if left <= 0 or not reader.poll(left * 1000):
                raise ChromiumError("no answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise ChromiumError("closed unexpectedly")
            self._buffer += chunk

    def evaluate(self, session: str, expression: str, *, await_promise: bool = False):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": await_promise}, session)
        return result.get("result", {}).get("value")

    def print_to_pdf(self, url: str, *, ready_script: str, timeout: float,
                     headers: dict[str, str] | None = None) -> tuple[bytes, str]:
        """Open `url` (sending `headers` with every request), wait until `ready_script` returns a string
        starting "ready" (one starting "error" stops with that message), print with the CSS page size.

        Returns the PDF and the last value of `ready_script`.
        """
        deadline = time.monotonic() + timeout

        def call(method: str, params: dict, session: str | None = None) -> dict:
            return self.call(method, params, session, timeout=max(deadline - time.monotonic(), CLOSE_TIMEOUT_S))

        context = call("Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        try:
            target = call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
            session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            call("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
            if headers:
                call("Network.enable", {}, session)
                call("Network.setExtraHTTPHeaders", {"headers": headers}, session)
            call("Page.navigate", {"url": url}, session)
            state = "loading"
            while not str(state).startswith("ready"):
                if str(state).startswith("error"):
                    raise ChromiumError(f"the page reports an {state}")
                if time.monotonic() > deadline:
                    raise ChromiumError(f"the page did not finish drawing within {timeout:.0f} s ({state})")
                time.sleep(0.25)
                state = self.evaluate(session, ready_script) or "loading"
            self.evaluate(session, SETTLE_SCRIPT, await_promise=True)
            pdf = call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                           "displayHeaderFooter": False}, session)
            return base64.b64decode(pdf["data"]), str(state)
        finally:
            with suppress(ChromiumError):
                self.call("Target.disposeBrowserContext", {"browserContextId": context}, timeout=CLOSE_TIMEOUT_S)

    def close(self) -> None:
        with suppress(ChromiumError):
            self.call("Browser.close", timeout=CLOSE_TIMEOUT_S)
        with self._lock:
            self.broken = True
            for fd in (self._to_browser, self._from_browser):
                with suppress(OSError):
                    os.close(fd)
        try:
            self._process.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def print_to_pdf(url: str, *, ready_script: str, timeout: float, headers: dict[str, str] | None = None,
                 binary: str | None = None, browser: Browser | None = None) -> tuple[bytes, str]:
    """`Browser.print_to_pdf` in `browser`, or in a browser started for this page only."""
    if browser is not None:
        return browser.print_to_pdf(url, ready_script=ready_script, timeout=timeout, headers=headers)
    binary = binary or find_browser()
    with tempfile.TemporaryDirectory(prefix="kcsp-chromium-") as profile:
        own = Browser(binary, profile)
        try:
            return own.print_to_pdf(url, ready_script=ready_script, timeout=timeout, headers=headers)
        finally:
            own.close()


class SharedBrowser:
    """One browser for this process, started on first use (so after gunicorn forks its workers), started
    again when it has failed, closed when idle (`close_idle`) and when the process exits."""

    def __init__(self, binary: str | None = None):
        self._binary = binary
        self._lock = threading.Lock()
        self._browser: Browser | None = None
        self._profile: str | None = None
        self._pid: int | None = None
        self._leases = 0
        self._last_used = 0.0

    @contextmanager
    def lease(self) -> Iterator[Browser]:
        """The browser, for one page; it is not closed as idle while leased."""
        with self._lock:
            browser = self._get()
            self._leases += 1
        try:
            yield browser
        finally:
            with self._lock:
                self._leases -= 1
                self._last_used = time.monotonic()

    def close_idle(self, idle_s: float) -> None:
        """Close the browser if nothing has used it for `idle_s` seconds."""
        with self._lock:
            if self._pid == os.getpid() and not self._leases and time.monotonic() - self._last_used >= idle_s:
                self._close()

    def close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._close()

    def _get(self) -> Browser:
        if self._pid != os.getpid():
            # Inherited from the process this one forked from: that one's to close.
            self._browser = self._profile = None
            self._leases = 0
        if self._browser is not None and not self._browser.alive():
            self._close()
        if self._browser is None:
            binary = self._binary or find_browser()
            profile = tempfile.mkdtemp(prefix="kcsp-chromium-")
            try:
                self._browser = Browser(binary, profile)
            except OSError as err:
                shutil.rmtree(profile, ignore_errors=True)
                raise ChromiumError(f"Chromium could not be started: {err}") from None
            if self._pid != os.getpid():
                atexit.register(self.close)
            self._profile, self._pid = profile, os.getpid()
        return self._browser

    def _close(self) -> None:
        browser, profile = self._browser, self._profile
        self._browser = self._profile = None
        if browser is not None:
            browser.close()
        if profile is not None:
            shutil.rmtree(profile, ignore_errors=True)
