"""Fifty people looking at once: 50 viewers for 60 s against gunicorn, with not one error.

Each viewer does what a browser does when someone opens a page: it fetches the page and the callback
graph, then sends the page's layout and callback requests. Those requests are real: headless
Chromium records them on each route (and on a district change) first, as the server benchmark does.
Viewers go round the routes from different starting points, back to back, for the whole minute,
against gunicorn with the project's settings (two workers) on a loopback port.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
import requests

from benchmarks.common import Gunicorn
from benchmarks.server import CAPTURE_ROUTES, capture

pytestmark = pytest.mark.slow

VIEWERS = 50
DURATION_S = 60
REQUEST_TIMEOUT_S = 30
PAGE_REQUESTS = ("/_dash-dependencies",)


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    with Gunicorn(demo_store.root, tmp_path_factory.mktemp("viewers")) as running:
        yield running


def view(session: requests.Session, base_url: str, route: str, callbacks: list) -> list[str]:
    """One page view; the problems it met (empty when every response was a success). The recorded
    requests hold the layout request (its Referer names the page, whose content it carries) and the
    page's callbacks."""
    problems = []
    calls = [("GET", route, None, {}), *(("GET", path, None, {}) for path in PAGE_REQUESTS),
             *((cb.method, cb.path, cb.body.encode() or None, cb.headers) for cb in callbacks)]
    for method, path, body, headers in calls:
        try:
            response = session.request(method, base_url + path, data=body, headers=headers,
                                       timeout=REQUEST_TIMEOUT_S)
            if response.status_code not in (200, 204):
                problems.append(f"{method} {path}: HTTP {response.status_code}")
        except requests.RequestException as exc:
            problems.append(f"{method} {path}: {exc.__class__.__name__}")
    return problems


def test_fifty_viewers_for_a_minute_meet_no_error(server):
    recorded = capture(server.url)
    by_route = {route: [cb for cb in recorded if cb.route == route] for route in CAPTURE_ROUTES}
    routes = list(by_route)
    views: Counter[str] = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    start = threading.Barrier(VIEWERS + 1)

    def viewer(offset: int) -> None:
        with requests.Session() as session:
            start.wait(timeout=30)
            i = offset
            while not stop.is_set():
                route = routes[i % len(routes)]
                met = view(session, server.url, route, by_route[route])
                with lock:
                    views[route] += 1
                    problems.extend(met)
                i += 1

    threads = [threading.Thread(target=viewer, args=(i,), daemon=True) for i in range(VIEWERS)]
    for thread in threads:
        thread.start()
    start.wait(timeout=30)
    time.sleep(DURATION_S)
    stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_S * 4)

    assert not any(thread.is_alive() for thread in threads), "a viewer was still waiting after the minute"
    assert not problems, f"{len(problems)} errors, e.g. {problems[:5]}"
    assert all(by_route.values()), "a route sent no callback in the recording"
    assert set(views) == set(routes) and sum(views.values()) >= VIEWERS, views
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and "[ERROR]" not in log and "WORKER TIMEOUT" not in log, server.log_tail()
