"""PDF packs do not starve the site: packs are made on a bounded queue of their own, a request waiting
for one gives its place in the app to others, a full queue answers 503 and a client over its limits
429 (both with Retry-After), and a pack already made is sent at once with its SHA-256. Under load
(four clients asking for new packs at once, through gunicorn) pages stay quick."""

from __future__ import annotations

import hashlib
import http.client
import itertools
import statistics
import threading
import time

import pytest

from serving import routes
from serving.render_queue import Limits, Pack, PackCache, Refused, RenderQueue, client_key, released_app_place
from serving.workers import BoundedApp
from tests.support import gunicorn_on_a_copy

PACK_CLIENTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
"""Four clients, each from an address of its own (all loopback), as four people would be."""
LOAD_S = 8
"""Seconds in which the clients ask for new packs; pages are timed until their last answer."""
PACKS_PER_CLIENT = 40
PAGE_ROUNDS = 300
PACK_HANG_S = 90
"""A pack request still unanswered after this long counts as a hang."""
PAGE_LIMIT_S = 2.0
WAIT_S = 10
"""The longest a fast test waits for anything: a test that would hang fails instead."""


def fetch(port: int, path: str, *, source: str = "127.0.0.1", timeout: float = 30,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes, float]:
    """GET `path` from `source` (a loopback address): status, headers (lower-case names), body, seconds."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body, time.monotonic() - started
    finally:
        connection.close()


def join_all(threads: list[threading.Thread], seconds: float) -> bool:
    """Wait up to `seconds` in all for `threads`; True when every one has ended."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory, demo_store):
    """gunicorn as deployed (the project's gunicorn.conf.py, one worker) on a copy of the demo store."""
    with gunicorn_on_a_copy(tmp_path_factory.mktemp("pack-queue"), demo_store) as running:
        yield running


def new_packs(dataset):
    """Every meeting and district pair, each asked for once: none of them is cached yet."""
    dates = sorted({f"{day:%Y-%m-%d}" for day in dataset.meetings["date"]})
    districts = list(dataset.districts()["area_slug"])
    return iter(f"/meeting/pack.pdf?meeting={d}&district={s}" for d, s in itertools.product(dates, districts))


@pytest.mark.slow
def test_four_clients_making_new_packs_leave_pages_quick(one_worker, dataset):
    port = int(one_worker.url.rsplit(":", 1)[1])
    host = f"127.0.0.1:{port}"
    priorities = list(dataset.priorities["priority_id"])
    districts = list(dataset.districts()["area_slug"])
    layouts = [{"Referer": f"http://{host}/priority/{p}?district={d}"}
               for d, p in itertools.product(districts, priorities)]
    for headers in layouts[:2]:
        assert fetch(port, "/_dash-layout", headers=headers)[0] == 200

    packs, packs_lock = new_packs(dataset), threading.Lock()
    answers: list[tuple[str, int, dict[str, str], bytes, float]] = []
    failures: list[str] = []
    end = time.monotonic() + LOAD_S

    def client(source: str) -> None:
        for _ in range(PACKS_PER_CLIENT):
            if time.monotonic() > end:
                return
            with packs_lock:
                path = next(packs)
            try:
                answers.append((path, *fetch(port, path, source=source, timeout=PACK_HANG_S)))
            except OSError as err:
                failures.append(f"{path} from {source}: {err!r}")
            time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(source,), daemon=True) for source in PACK_CLIENTS]
    for thread in threads:
        thread.start()
    time.sleep(2)
    pages: list[tuple[str, int, float]] = []
    give_up = time.monotonic() + LOAD_S + PACK_HANG_S
    for headers in itertools.islice(itertools.cycle(layouts[2:]), PAGE_ROUNDS):
        if not any(thread.is_alive() for thread in threads) or time.monotonic() > give_up:
            break
        for path, extra in (("/healthz", {}), ("/", {}), ("/_dash-layout", headers)):
            status, _, _, took = fetch(port, path, timeout=30, headers=extra)
            pages.append((path, status, took))
        time.sleep(0.3)
    assert join_all(threads, 1), "a pack request hung"

    times = [took for _, _, took in pages]
    statuses = [status for _, status, _, _, _ in answers]
    layout_times = [took for path, _, took in pages if path == "/_dash-layout"]
    summary = (f"pages: median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} "
               f"(layouts: median {statistics.median(layout_times):.2f} s); "
               f"packs: {statuses.count(200)} made, {statuses.count(503)} x 503, {statuses.count(429)} x 429, "
               f"answered in {statistics.median([a[-1] for a in answers] or [0]):.2f} s (median)")
    print(summary)
    assert not failures, failures
    assert all(status == 200 for _, status, _ in pages), pages
    assert statistics.median(times) < PAGE_LIMIT_S, summary
    assert len(times) >= 9, summary
    assert set(statuses) <= {200, 429, 503}, statuses
    assert 200 in statuses, "no pack was made under load"
    assert {429, 503} & set(statuses), "four clients at once were never refused: the queue is not bounded"
    for path, status, headers, body, _ in answers:
        if status == 200:
            assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF"), path
            assert headers["x-pack-sha256"] == hashlib.sha256(body).hexdigest(), path
            assert "attachment; filename=" in headers["content-disposition"], path
        else:
            assert headers["retry-after"].isdigit() and int(headers["retry-after"]) >= 1, (path, headers)
            assert headers["x-content-type-options"] == "nosniff", (path, headers)
            assert body.strip(), (path, status)


@pytest.fixture(scope="module")
def web_client():
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client


class Renders:
    """A stand-in for serving.pack.render_pack whose renders finish when the test says so."""

    def __init__(self):
        self.started = threading.Semaphore(0)
        self.finish = threading.Event()
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, base_url, meeting_iso, district=None, **kwargs):
        self.asked.append((meeting_iso, district))
        self.started.release()
        assert self.finish.wait(WAIT_S), "the test never let the render finish"
        return f"%PDF-1.4 pack of {meeting_iso} {district}".encode(), 8


def asked_from(client_factory, address: str, query: str, into: list) -> threading.Thread:
    """GET the pack `query` from `address` on a thread; its response is appended to `into`."""

    def ask():
        into.append(client_factory().get("/meeting/pack.pdf?" + query, environ_base={"REMOTE_ADDR": address}))

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    return thread


def test_a_full_queue_answers_503_and_a_pack_already_made_is_sent_at_once(web_client, monkeypatch):
    renders = Renders()
    monkeypatch.setattr(routes, "render_pack", renders)
    monkeypatch.setattr(routes, "queue", RenderQueue(Limits(renders=1, waiting=1)))
    monkeypatch.setattr(routes, "packs", PackCache(1 << 20))
    first: list = []
    making = asked_from(web_client, "192.0.2.1", "meeting=2025-11-20&district=dover", first)
    assert renders.started.acquire(timeout=WAIT_S)

    full = web_client().get("/meeting/pack.pdf?meeting=2025-07-17", environ_base={"REMOTE_ADDR": "192.0.2.2"})
    assert full.status_code == 503
    assert full.headers["Retry-After"].isdigit() and int(full.headers["Retry-After"]) >= 1
    assert full.mimetype == "text/plain" and "cannot be made just now" in full.get_data(as_text=True)
    assert full.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in full.headers
    again = web_client().get("/meeting/pack.pdf?meeting=2025-07-17", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 1
    assert "still being made" in again.get_data(as_text=True)

    renders.finish.set()
    assert join_all([making], WAIT_S)
    made = first[0]
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert made.headers["X-Pack-SHA256"] == hashlib.sha256(made.data).hexdigest()
    assert 'filename="meeting-pack-2025-11-20-dover.pdf"' in made.headers["Content-Disposition"]

    renders.finish.clear()
    other: list = []
    busy = asked_from(web_client, "192.0.2.3", "meeting=2025-07-17&district=thanet", other)
    assert renders.started.acquire(timeout=WAIT_S)
    started = time.monotonic()
    kept = web_client().get("/meeting/pack.pdf?meeting=2025-11-20&district=dover",
                            environ_base={"REMOTE_ADDR": "192.0.2.4"})
    assert time.monotonic() - started < 2, "the kept pack waited for the queue"
    assert kept.status_code == 200 and kept.data == made.data
    assert kept.headers["X-Pack-SHA256"] == hashlib.sha256(kept.data).hexdigest()
    assert renders.asked.count(("2025-11-20", "dover")) == 1
    renders.finish.set()
    assert join_all([busy], WAIT_S) and other[0].status_code == 200


def test_a_client_has_one_new_pack_made_at_a_time_and_a_few_a_minute():
    now = [1000.0]
    queue = RenderQueue(Limits(renders=1, waiting=4, per_minute=2), clock=lambda: now[0])
    gate = threading.Event()

    def slow(browser):
        assert gate.wait(WAIT_S)
        return "slow"

    waiting = queue.join("slow", slow, "a")
    with pytest.raises(Refused) as second:
        queue.join("other", lambda browser: "other", "a")
    assert second.value.status == 429
    shared = queue.join("slow", lambda browser: "never run", "b")
    gate.set()
    assert waiting.result(WAIT_S) == shared.result(WAIT_S) == "slow"

    assert queue.join("c1", lambda browser: 1, "c").result(WAIT_S) == 1
    now[0] += 10
    assert queue.join("c2", lambda browser: 2, "c").result(WAIT_S) == 2
    with pytest.raises(Refused) as third:
        queue.join("c3", lambda browser: 3, "c")
    assert (third.value.status, third.value.retry_after) == (429, 50)
    now[0] += 51
    assert queue.join("c3", lambda browser: 3, "c").result(WAIT_S) == 3
    assert client_key("2001:db8:1:2::7") == client_key("2001:db8:1:2:ffff::1") != client_key("2001:db8:1:3::7")
    assert client_key("::ffff:192.0.2.9") == "192.0.2.9"


def test_kept_packs_are_bounded_in_bytes_and_belong_to_one_store_version():
    class Version:
        """Stands in for a Dataset (the cache only holds a weak reference to it)."""

    old, new = Version(), Version()
    cache = PackCache(max_bytes=25)
    for name in ("a", "b", "c"):
        cache.put(old, name, Pack.of(name.encode() * 10))
    assert cache.get(old, "a") is None and cache.get(old, "b") is not None and cache.get(old, "c") is not None
    cache.put(old, "huge", Pack.of(b"x" * 26))
    assert cache.get(old, "huge") is None and cache.get(old, "c") is not None
    assert cache.get(new, "c") is None
    cache.put(old, "late", Pack.of(b"late"))
    assert cache.get(new, "late") is None


def test_a_request_waiting_for_a_render_gives_its_place_in_the_app_to_others():
    waiting, go = threading.Event(), threading.Event()
    inside, most = [0], [0]
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            if environ["PATH_INFO"] == "/pack":
                with released_app_place(environ):
                    with lock:
                        inside[0] -= 1
                    waiting.set()
                    assert go.wait(WAIT_S)
                    with lock:
                        inside[0] += 1
            else:
                time.sleep(0.2)
        finally:
            with lock:
                inside[0] -= 1
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    bounded = BoundedApp(app, limit=1)

    def call(path: str, into: list) -> threading.Thread:
        thread = threading.Thread(target=lambda: into.append(bounded({"PATH_INFO": path}, lambda *a: None)),
                                  daemon=True)
        thread.start()
        return thread

    pack: list = []
    waiter = call("/pack", pack)
    assert waiting.wait(WAIT_S)
    pages: list = []
    join_all([call("/page", pages) for _ in range(3)], 3)
    assert pages == [[b"/page"]] * 3 and waiter.is_alive(), "a page waited for the render"
    go.set()
    assert join_all([waiter], WAIT_S) and pack == [[b"/pack"]]
    more: list = []
    assert join_all([call("/page", more) for _ in range(3)], WAIT_S)
    assert len(more) == 3 and most[0] == 1, "the place given back was counted twice"
