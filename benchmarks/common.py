"""Shared pieces of the benchmarks: statistics, deadlines, a gunicorn server, headless Chromium.

Everything here starts processes on the loopback interface only and stops them again: the server
and the browser are context managers, so a failure or Ctrl-C still cleans up.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"
SERVER_START_TIMEOUT_S = 180


class BenchmarkError(RuntimeError):
    """A benchmark could not run (the server did not start, a page never settled...)."""


# ---------------------------------------------------------------------------------------------
# Statistics and formatting
# ---------------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (NaN if empty)."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    data = sorted(values)
    if not data:
        return math.nan
    pos = (len(data) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (pos - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def ms(seconds: float) -> str:
    """Seconds as whole milliseconds for printing ('-' when not measured)."""
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def verdict(ok: bool, measured: bool = True) -> str:
    if not measured:
        return "not measured"
    return "meets" if ok else "MISSES"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# Time limits and ports
# ---------------------------------------------------------------------------------------------

class Deadline:
    """A time budget: loops check it so that every measure stops by itself."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.end


def raise_on_sigterm() -> None:
    """Treat SIGTERM like Ctrl-C so that the same clean-up runs."""

    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


# ---------------------------------------------------------------------------------------------
# Stores and the server
# ---------------------------------------------------------------------------------------------

def build_demo_store(out: Path) -> float:
    """Build the default store with the project's own command; return the seconds it took."""
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-m", "kcsp", "build-demo", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"build-demo failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - start


class Gunicorn:
    """`gunicorn app:server` with the project's gunicorn.conf.py, on a free loopback port (serving.server).

    `root` serves another checkout (the first measurement's commit), `app` another WSGI app (Dash's
    floor), `env` adds settings."""

    def __init__(self, store_dir: Path, workdir: Path, workers: int = 2, *, root: Path = ROOT,
                 app: str = "app:server", env: dict[str, str] | None = None):
        self.store_dir = store_dir
        self.workdir = workdir
        self.workers = workers
        self.root = root
        self.app = app
        self.extra_env = {"PYTHONPATH": str(root), **(env or {})}
        self.url = ""
        self.log_path = workdir / f"gunicorn-{time.time_ns()}.log"
        self.process: subprocess.Popen | None = None
        self.startup_s = math.nan
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Gunicorn:
        import requests

        from serving import server

        env = {"KCSP_USERS_FILE": str(self.workdir / "users.csv"), "KCSP_SECRET_KEY": "benchmark-only-secret",
               "KCSP_REQUIRE_LOGIN": "", **self.extra_env}
        try:
            running = self._stack.enter_context(server.gunicorn(
                self.store_dir, workers=self.workers, env=env, log_path=self.log_path,
                timeout=SERVER_START_TIMEOUT_S, root=self.root, app=self.app))
        except server.ServerError as err:
            raise BenchmarkError(f"gunicorn did not start: {err}\n{self.log_tail()}") from None
        self.url, self.process, self.startup_s = running.url, running.process, running.startup_s
        try:
            # every worker answers before anything is measured (the first request a worker serves is slower)
            for _ in range(4 * self.workers):
                requests.get(self.url + "/healthz", timeout=10)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def worker_processes(self) -> list:
        import psutil

        if self.process is None:
            return []
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def memory(self) -> list[dict[str, float]]:
        """RSS, USS and PSS (MB) of each worker (USS: memory only that worker holds)."""
        import psutil

        out = []
        for proc in self.worker_processes():
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            out.append({"pid": proc.pid, "rss_mb": info.rss / 2**20, "uss_mb": info.uss / 2**20,
                        "pss_mb": getattr(info, "pss", math.nan) / 2**20})
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the workers have used so far."""
        import psutil

        total = 0.0
        for proc in self.worker_processes():
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        workers = self.worker_processes()
        self._stack.close()
        for worker in workers:  # normally gone with the arbiter; never leave one behind
            with contextlib.suppress(Exception):
                worker.kill()


DASH_FLOOR_APP = "benchmarks.dash_floor:server"


def dash_floor(floor_dir: Path, workdir: Path) -> Gunicorn:
    """Dash's floor (benchmarks.dash_floor) under gunicorn, drawing the figures kept in floor_dir."""
    return Gunicorn(floor_dir, workdir, app=DASH_FLOOR_APP, env={"KCSP_FLOOR_DIR": str(floor_dir)})


FIRST_MEASUREMENT = "166e836"
"""The commit the speed issue was measured on (its first measurement): `--first` compares it by default."""


@contextmanager
def checkout(ref: str, workdir: Path) -> Iterator[Path]:
    """A detached git worktree of `ref` in workdir (the first measurement's code), removed on exit."""
    path = workdir / f"checkout-{ref}"
    done = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), ref],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"git worktree add {ref} failed: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                       capture_output=True, timeout=120, check=False)


# ---------------------------------------------------------------------------------------------
# The browser and a static file server for the floor pages
# ---------------------------------------------------------------------------------------------

CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--window-size=1280,720", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-extensions", "--mute-audio")


@contextmanager
def chromium(*, performance_log: bool = False) -> Iterator:
    """Headless Debian Chromium at the projector size (1280x720), quit on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(30)
        yield driver
    finally:
        driver.quit()


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files; scripts may be cached like Dash's fingerprinted bundles, pages never."""

    def end_headers(self) -> None:
        if self.path.endswith(".js") or self.path.endswith(".json"):
            self.send_header("Cache-Control", "public, max-age=31536000")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """Serve a folder over http on a free loopback port from a thread; yield its base URL."""

    def handler(*args, **kwargs):
        return _QuietHandler(*args, directory=str(directory), **kwargs)

    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="floor-http", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_json(path: Path, results: dict) -> None:
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
