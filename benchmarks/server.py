"""Callback latency under 20 concurrent sessions, and memory per gunicorn worker.

The callback requests are real: a headless Chromium with performance logging visits a few pages and
changes the district once, and every ``POST /_dash-update-component`` it sends (DevTools
``Network.requestWillBeSent``: URL, headers and body) is kept. They are then replayed against the
same gunicorn (2 sync workers, the project's gunicorn.conf.py) with ``requests``:

- one session alone, each request a few times: the time the server needs per callback;
- SESSIONS sessions at once, each replaying the list in order from its own starting point, with no
  pause between requests, until each has sent PER_SESSION requests or TIME_LIMIT_S has passed. The
  latency includes queueing for a worker, which is what a user waits for.

An error is any status other than 200 or 204, or a failed request. Memory: RSS (and USS, the
memory that only that worker holds: preload_app shares the rest) of each worker after the load.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.common import (
    ROOT,
    BenchmarkError,
    Deadline,
    Gunicorn,
    build_demo_store,
    chromium,
    dash_floor,
    ms,
    percentile,
    say,
    table,
    verdict,
)
from benchmarks.pages import choose_district, install_probe, wait_ready

CAPTURE_ROUTES = (
    "/",
    "/priority/neighbourhood-crime-asb",
    "/priority/road-safety",
    "/priority/domestic-abuse",
    "/priority/neighbourhood-crime-asb?district=maidstone",
    "/district/maidstone",
    "/actions",
    "/meeting",
    "/data",
)
SESSIONS = 20
PER_SESSION = 50
TIME_LIMIT_S = 30
REQUEST_TIMEOUT_S = 30
P95_TARGET_S = 0.050
WORKER_MB_TARGET = 300
KEPT_HEADERS = ("content-type", "accept", "x-csrftoken", "referer")
LAYOUT_PATH = "/_dash-layout"
OK_STATUSES = (200, 204)


@dataclass(frozen=True)
class Callback:
    """One recorded callback request, and the page route whose visit sent it."""

    label: str
    path: str
    body: str
    headers: dict
    route: str = ""
    method: str = "POST"


@dataclass
class Sample:
    label: str
    seconds: float
    ok: bool
    cpu_s: float = math.nan  # CPU the workers spent on it (measured in the one-session replay only)


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def times(self, label: str | None = None) -> list[float]:
        return [s.seconds for s in self.samples if label is None or s.label == label]

    def cpu(self, label: str | None = None) -> float:
        """Mean worker CPU seconds per request (NaN when not measured)."""
        values = [s.cpu_s for s in self.samples if (label is None or s.label == label) and not math.isnan(s.cpu_s)]
        return sum(values) / len(values) if values else math.nan

    def summary(self) -> dict:
        times = self.times()
        return {"requests": len(times), "errors": sum(not s.ok for s in self.samples),
                "p50_s": percentile(times, 50), "p95_s": percentile(times, 95), "max_s": max(times, default=0.0),
                "wall_s": self.wall_s, "requests_per_s": len(times) / self.wall_s if self.wall_s else 0.0,
                "mean_worker_cpu_s": self.cpu(),
                "error_examples": self.errors[:5]}


def label_for(body: dict) -> str:
    """A short name for a callback: its first output, plus the page path for the page callback."""
    output = str(body.get("output", "?")).strip(".")
    first = output.split("...")[0] if output.startswith("..") else output
    first = first.split(".")[0] if "{" not in first else first.split("}")[0] + "}"
    if len(first) > 40:
        first = first[:37] + "..."
    for item in body.get("inputs", []):
        if isinstance(item, dict) and item.get("id") == "_pages_location" and item.get("property") == "pathname":
            return f"{first} {item.get('value')}"
    return first


def callbacks_from_log(entries: list[dict], route: str = "") -> list[Callback]:
    """The requests in a Chrome performance log that build a page, in the order they were sent: the
    callback POSTs, and the layout GET (which carries the page itself once it is in the first layout;
    the Referer names the page)."""
    found = []
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        path = urlsplit(request["url"]).path
        if request.get("method") == "GET" and path.endswith(LAYOUT_PATH):
            headers = {k: v for k, v in request.get("headers", {}).items() if k.lower() in KEPT_HEADERS}
            page = urlsplit(headers.get("Referer", headers.get("referer", ""))).path or route
            found.append(Callback(f"layout {page}", path, "", headers, route, method="GET"))
            continue
        if request.get("method") != "POST" or not path.endswith("/_dash-update-component"):
            continue
        body = request.get("postData")
        if body is None and request.get("postDataEntries"):
            import base64

            body = b"".join(base64.b64decode(e.get("bytes", "")) for e in request["postDataEntries"]).decode()
        if not body:
            continue
        headers = {k: v for k, v in request.get("headers", {}).items() if k.lower() in KEPT_HEADERS}
        path = "/" + request["url"].split("/", 3)[3]
        found.append(Callback(label_for(json.loads(body)), path, body, headers, route))
    return found


def capture(base_url: str, routes=CAPTURE_ROUTES) -> list[Callback]:
    """Visit the routes (and change the district once) in a logging browser; return its callbacks."""
    with chromium(performance_log=True) as driver:
        install_probe(driver)
        callbacks: list[Callback] = []
        for route in routes:
            driver.get("about:blank")
            driver.get(base_url + route)
            wait_ready(driver)
            callbacks += callbacks_from_log(driver.get_log("performance"), route)
        driver.get(base_url + "/priority/road-safety")
        wait_ready(driver)
        driver.execute_script("window.__kcsp.expect = 'in Ashford'")
        choose_district(driver, "Ashford")
        wait_ready(driver)
        callbacks += callbacks_from_log(driver.get_log("performance"), "/priority/road-safety")
    if not callbacks:
        raise BenchmarkError("no callback request was captured")
    return callbacks


def _send(session, base_url: str, cb: Callback) -> tuple[float, bool, str]:
    import requests

    start = time.perf_counter()
    try:
        response = session.request(cb.method, base_url + cb.path, data=cb.body.encode() if cb.body else None,
                                   headers=cb.headers, timeout=REQUEST_TIMEOUT_S)
        response.content  # noqa: B018 - read the whole body before stopping the clock
        ok = response.status_code in OK_STATUSES
        note = "" if ok else f"{cb.label}: HTTP {response.status_code}"
    except requests.RequestException as exc:
        ok, note = False, f"{cb.label}: {exc.__class__.__name__}"
    return time.perf_counter() - start, ok, note


def replay_alone(server: Gunicorn, callbacks: list[Callback], repeats: int, deadline: Deadline) -> LoadResult:
    """Each callback `repeats` times from one session, one at a time, with the CPU the workers used."""
    import requests

    result = LoadResult()
    start = time.perf_counter()
    with requests.Session() as session:
        for _ in range(repeats):
            for cb in callbacks:
                if deadline.expired():
                    break
                cpu_before = server.cpu_seconds()
                seconds, ok, note = _send(session, server.url, cb)
                result.samples.append(Sample(cb.label, seconds, ok, server.cpu_seconds() - cpu_before))
                if note:
                    result.errors.append(note)
    result.wall_s = time.perf_counter() - start
    return result


def replay_concurrent(base_url: str, callbacks: list[Callback], *, sessions: int = SESSIONS,
                      per_session: int = PER_SESSION, time_limit: float = TIME_LIMIT_S) -> LoadResult:
    """`sessions` threads, each with its own HTTP session, replaying the callbacks back to back."""
    import requests

    result = LoadResult()
    lock = threading.Lock()
    stop = threading.Event()
    barrier = threading.Barrier(sessions + 1)

    def worker(offset: int) -> None:
        with requests.Session() as session:
            barrier.wait(timeout=30)
            for i in range(per_session):
                if stop.is_set():
                    break
                cb = callbacks[(offset + i) % len(callbacks)]
                seconds, ok, note = _send(session, base_url, cb)
                with lock:
                    result.samples.append(Sample(cb.label, seconds, ok))
                    if note:
                        result.errors.append(note)

    threads = [threading.Thread(target=worker, args=(i * len(callbacks) // sessions,), daemon=True,
                                name=f"session-{i}") for i in range(sessions)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    start = time.perf_counter()
    deadline = Deadline(time_limit)
    try:
        for thread in threads:
            while thread.is_alive() and not deadline.expired():
                thread.join(timeout=0.2)
    finally:
        stop.set()  # requests already sent finish (bounded by their timeout); no new ones start
        drain = Deadline(REQUEST_TIMEOUT_S + 5)
        for thread in threads:
            thread.join(timeout=drain.remaining())
    result.wall_s = time.perf_counter() - start
    return result


def per_callback_rows(alone: LoadResult, loaded: LoadResult) -> list[list[str]]:
    labels = list(dict.fromkeys(s.label for s in alone.samples))
    rows = []
    for label in labels:
        a, b = alone.times(label), loaded.times(label)
        rows.append([label, len(a), ms(percentile(a, 50)), ms(percentile(a, 95)), ms(alone.cpu(label)),
                     len(b), ms(percentile(b, 50)), ms(percentile(b, 95))])
    return rows


def report(alone: LoadResult, loaded: LoadResult, memory: list[dict], *, sessions: int) -> list[str]:
    a, b = alone.summary(), loaded.summary()
    lines = [
        table(["callback", "alone n", "alone p50", "alone p95", "worker CPU", f"{sessions} sessions n", "p50", "p95"],
              per_callback_rows(alone, loaded)),
        f"one session:  {a['requests']} requests, p50 {ms(a['p50_s'])}, p95 {ms(a['p95_s'])}, "
        f"max {ms(a['max_s'])}, mean worker CPU {ms(a['mean_worker_cpu_s'])} a request, errors {a['errors']}",
        f"{sessions} sessions: {b['requests']} requests in {b['wall_s']:.1f} s ({b['requests_per_s']:.1f}/s), "
        f"p50 {ms(b['p50_s'])}, p95 {ms(b['p95_s'])}, max {ms(b['max_s'])}, errors {b['errors']}; "
        f"target p95 < {P95_TARGET_S * 1000:.0f} ms: {verdict(b['p95_s'] < P95_TARGET_S and not b['errors'])}",
    ]
    for e in b["error_examples"]:
        lines.append(f"  error: {e}")
    for w in memory:
        lines.append(f"worker {w['pid']}: RSS {w['rss_mb']:.0f} MB (USS {w['uss_mb']:.0f} MB, "
                     f"PSS {w['pss_mb']:.0f} MB); target < {WORKER_MB_TARGET} MB: "
                     f"{verdict(w['rss_mb'] < WORKER_MB_TARGET)}")
    return lines


def callbacks_only(result: LoadResult) -> LoadResult:
    """The callback requests of a replay (without the layout requests)."""
    return LoadResult([x for x in result.samples if not x.label.startswith("layout ")], result.wall_s, result.errors)


def measure(server: Gunicorn, *, sessions: int, per_session: int, time_limit: float, repeats: int,
            deadline: Deadline) -> dict:
    """Capture, replay alone and concurrently, then read worker memory; print and return the figures."""
    callbacks = capture(server.url)
    say(f"captured {len(callbacks)} requests (layouts and callbacks) from {len(CAPTURE_ROUTES)} pages and a "
        "district change")
    alone = replay_alone(server, callbacks, repeats, deadline)
    loaded = replay_concurrent(server.url, callbacks, sessions=sessions, per_session=per_session,
                               time_limit=min(time_limit, max(deadline.remaining(), 5)))
    memory = server.memory()
    for line in report(alone, loaded, memory, sessions=sessions):
        say(line)
    only = callbacks_only(loaded).summary()
    say(f"callbacks only ({only['requests']} of them): p50 {ms(only['p50_s'])}, p95 {ms(only['p95_s'])}")
    return {"callbacks_captured": len(callbacks), "alone": alone.summary(),
            "concurrent": {**loaded.summary(), "sessions": sessions, "per_session": per_session,
                           "time_limit_s": time_limit},
            "concurrent_callbacks_only": only,
            "per_callback": per_callback_rows(alone, loaded), "workers": memory,
            "server_startup_s": server.startup_s}


FLOOR_CALLBACK = json.dumps({
    "output": "floor-echo.children", "outputs": {"id": "floor-echo", "property": "children"},
    "inputs": [{"id": "floor-echo-in", "property": "value", "value": "x"}],
    "changedPropIds": ["floor-echo-in.value"], "state": []})


def measure_floor(floor: Gunicorn, *, sessions: int, per_session: int, time_limit: float) -> dict:
    """Dash's floor under the same load: an empty page's layout and a callback that returns its input."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    requests_ = [Callback("layout (empty Dash page)", LAYOUT_PATH, "", {"Referer": f"{floor.url}/empty"},
                          method="GET"),
                 Callback("callback (returns its input)", "/_dash-update-component", FLOOR_CALLBACK, headers)]
    loaded = replay_concurrent(floor.url, requests_, sessions=sessions, per_session=per_session,
                               time_limit=time_limit)
    result, only = loaded.summary(), callbacks_only(loaded).summary()
    say(f"Dash's floor, {sessions} sessions: {result['requests']} requests ({result['requests_per_s']:.0f}/s), "
        f"p50 {ms(result['p50_s'])}, p95 {ms(result['p95_s'])}; the callback alone p95 {ms(only['p95_s'])}; "
        f"errors {result['errors']}")
    return {"concurrent": {**result, "sessions": sessions}, "concurrent_callbacks_only": only,
            "workers": floor.memory()}


def run(workdir: Path, *, sessions: int = SESSIONS, per_session: int = PER_SESSION,
        time_limit: float = TIME_LIMIT_S, repeats: int = 3, budget_s: float = 300,
        store_dir: Path | None = None, first_root: Path | None = None) -> dict:
    """Callbacks under load on the dashboard today, the first measurement's commit (when given) and Dash's floor."""
    deadline = Deadline(budget_s)
    if store_dir is None:
        store_dir = workdir / "store"
        say(f"building the demo store ({build_demo_store(store_dir):.1f} s)")
    out: dict = {}
    for what, root in (("first", first_root), ("today", ROOT)):
        if root is None:
            continue
        with Gunicorn(store_dir, workdir, root=root) as server:
            say(f"-- {what}: gunicorn (2 workers) answered after {server.startup_s:.1f} s on {server.url}")
            figures = measure(server, sessions=sessions, per_session=per_session, time_limit=time_limit,
                              repeats=repeats, deadline=deadline)
        if what == "today":
            out.update(figures)
        else:
            out["first"] = figures
    with dash_floor(workdir, workdir) as floor:
        say("-- Dash's floor")
        out["dash_floor"] = measure_floor(floor, sessions=sessions, per_session=per_session, time_limit=time_limit)
    return out
