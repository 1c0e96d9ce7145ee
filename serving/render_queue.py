"""Pack renders kept apart from the pages: per worker process, a bounded queue of renders with one
headless Chromium, a limit per client, the packs already made, and a way for a request to give back
its place in the app while it waits for one.

gunicorn lets APP_CONCURRENCY requests of a worker into the app at once (serving.workers.BoundedApp).
A request that waited there for Chromium held one of those places for seconds, and a few clients
asking for packs not yet made held them all. Here a render runs on a thread of the queue (`renders`
at once, in the process's one browser); the request that asked for it gives its place in the app
back while it waits (`released_app_place`) and takes one again to answer. At most `waiting` requests
of a worker wait for packs, those being rendered included: each holds one of the worker's connection
threads, never a place in the app, and one more is answered 503 with Retry-After at once. A client
(an address; an IPv6 /64 network) may have one request waiting and `per_minute` new renders a minute;
past either it gets 429 with Retry-After. Requests for a pack already being made wait for that render
instead of starting another. Packs already made are answered from a `PackCache` without the queue.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import os
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from kcsp.settings import positive_whole
from serving.chromium import Browser, SharedBrowser
from serving.workers import PLACES_KEY

MINUTE_S = 60
START_WAIT_S = 30
"""A render not started this long after it was asked for is given up (503): the queue is too slow."""
BROWSER_IDLE_S = 120
"""The browser is closed after this long with nothing to render, and started again when needed."""
FIRST_RENDER_GUESS_S = 10
MAX_RETRY_AFTER_S = 120


@dataclass(frozen=True)
class Limits:
    """How much pack rendering one worker process takes on (settings KCSP_PACK_*)."""

    renders: int = 1
    """Packs made at once (KCSP_PACK_RENDERS)."""
    waiting: int = 3
    """Requests that may wait for a pack at once, those being rendered included (KCSP_PACK_WAITING)."""
    per_minute: int = 6
    """New renders one client may ask for in a minute (KCSP_PACK_RENDERS_PER_MINUTE)."""
    cache_bytes: int = 32 * 1024 * 1024
    """Size of the packs kept (KCSP_PACK_CACHE_MB, in MB)."""

    @classmethod
    def from_environ(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        return cls(renders=positive_whole(env, "KCSP_PACK_RENDERS", cls.renders),
                   waiting=positive_whole(env, "KCSP_PACK_WAITING", cls.waiting),
                   per_minute=positive_whole(env, "KCSP_PACK_RENDERS_PER_MINUTE", cls.per_minute),
                   cache_bytes=positive_whole(env, "KCSP_PACK_CACHE_MB", cls.cache_bytes >> 20) << 20)


class Refused(Exception):
    """The queue will not take this request now: answer `status` with Retry-After `retry_after` seconds."""

    def __init__(self, status: int, retry_after: float, message: str):
        super().__init__(message)
        self.status = status
        self.retry_after = max(1, min(MAX_RETRY_AFTER_S, math.ceil(retry_after)))


def client_key(address: str | None) -> str:
    """Whom the per-client limits count: the address, or its /64 network for IPv6 (one host has many)."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "-"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


@dataclass(eq=False)
class _Job:
    key: Hashable
    work: Callable[[Browser | None], object]
    asked: float
    waiters: int = 0
    done: threading.Event = field(default_factory=threading.Event)
    value: object = None
    error: Exception | None = None


class Ticket:
    """A request's place among those waiting for a render; given up by `result` or on leaving the block."""

    def __init__(self, queue: RenderQueue, job: _Job, client: str):
        self._queue, self._job, self._client = queue, job, client
        self._left = False

    def result(self, timeout: float) -> object:
        """What the render returned (its exception is raised); Refused when it is not done in `timeout`."""
        try:
            if not self._job.done.wait(timeout):
                raise Refused(503, self._queue.render_s(), "The meeting pack is still being made: try again in a "
                                                           "little while, it is sent at once when ready.")
            if self._job.error is not None:
                raise self._job.error
            return self._job.value
        finally:
            self.leave()

    def leave(self) -> None:
        if not self._left:
            self._left = True
            self._queue._leave(self._job, self._client)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc) -> None:
        self.leave()


class RenderQueue:
    """Renders run on threads of their own, `limits.renders` at once, in one shared browser."""

    def __init__(self, limits: Limits, *, browser: SharedBrowser | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self._browser = browser
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: deque[_Job] = deque()
        self._jobs: dict[Hashable, _Job] = {}
        self._waiting: dict[str, int] = {}
        self._waiters = 0
        self._running = 0
        self._recent: dict[str, deque[float]] = {}
        self._render_s = float(FIRST_RENDER_GUESS_S)
        self._threads_pid: int | None = None

    def render_s(self) -> float:
        """How long a render has been taking (a moving average)."""
        return self._render_s

    def join(self, key: Hashable, work: Callable[[Browser | None], object], client: str) -> Ticket:
        """Wait for the render of `key` (`work(browser)`), joining one already asked for; Refused when
        the queue is full or `client` is over its limits."""
        now = self._clock()
        with self._cond:
            if self._waiting.get(client, 0):
                raise Refused(429, self._render_s, "Your previous meeting pack is still being made: wait for it "
                                                   "(packs already made are sent at once).")
            if self._waiters >= self.limits.waiting:
                ahead = (len(self._pending) + self._running) / self.limits.renders
                raise Refused(503, self._render_s * max(ahead, 1),
                              f"The meeting pack cannot be made just now: {self._waiters} requests are waiting for "
                              "packs already. Try again shortly (packs already made are sent at once).")
            job = self._jobs.get(key)
            if job is None:
                self._forget_old(now)
                recent = self._recent.setdefault(client, deque())
                if len(recent) >= self.limits.per_minute:
                    raise Refused(429, recent[0] + MINUTE_S - now,
                                  f"You have had {len(recent)} new meeting packs made in the last minute, the most "
                                  "allowed: try again shortly (packs already made are sent at once).")
                recent.append(now)
                job = self._jobs[key] = _Job(key, work, now)
                self._pending.append(job)
                self._start_threads()
                self._cond.notify()
            job.waiters += 1
            self._waiters += 1
            self._waiting[client] = self._waiting.get(client, 0) + 1
        return Ticket(self, job, client)

    def _forget_old(self, now: float) -> None:
        for client in list(self._recent):
            stamps = self._recent[client]
            while stamps and stamps[0] <= now - MINUTE_S:
                stamps.popleft()
            if not stamps:
                del self._recent[client]

    def _leave(self, job: _Job, client: str) -> None:
        with self._cond:
            job.waiters -= 1
            self._waiters -= 1
            self._waiting[client] -= 1
            if not self._waiting[client]:
                del self._waiting[client]

    def _start_threads(self) -> None:
        """The render threads, started in the process that first renders (threads do not survive a fork)."""
        if self._threads_pid == os.getpid():
            return
        self._threads_pid = os.getpid()
        for number in range(self.limits.renders):
            threading.Thread(target=self._serve, name=f"kcsp-pack-render-{number}", daemon=True).start()

    def _next(self) -> _Job | None:
        """The next job to render (None after BROWSER_IDLE_S without one); counted as running."""
        with self._cond:
            while True:
                if not self._pending and not self._cond.wait(BROWSER_IDLE_S) and not self._pending:
                    return None
                if not self._pending:
                    continue
                job = self._pending.popleft()
                if not job.waiters:
                    del self._jobs[job.key]
                elif self._clock() - job.asked > START_WAIT_S:
                    del self._jobs[job.key]
                    job.error = Refused(503, self._render_s, "The meeting pack could not be started in time: "
                                                             "many are being made. Try again shortly.")
                    job.done.set()
                else:
                    self._running += 1
                    return job

    def _serve(self) -> None:
        while True:
            job = self._next()
            if job is None:
                if self._browser is not None:
                    self._browser.close_idle(BROWSER_IDLE_S)
                continue
            started = self._clock()
            try:
                if self._browser is None:
                    job.value = job.work(None)
                else:
                    with self._browser.lease() as browser:
                        job.value = job.work(browser)
            except Exception as err:  # handed to every request waiting for it
                job.error = err
            with self._cond:
                self._running -= 1
                self._render_s = 0.7 * self._render_s + 0.3 * (self._clock() - started)
                del self._jobs[job.key]
            job.done.set()


@dataclass(frozen=True)
class Pack:
    pdf: bytes
    sha256: str

    @classmethod
    def of(cls, pdf: bytes) -> Pack:
        return cls(pdf, hashlib.sha256(pdf).hexdigest())


class PackCache:
    """Packs already made, for the current store version only (the dataset they were made from: a new
    one empties the cache), up to `max_bytes` in all, the least recently asked for dropped first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._dataset: weakref.ref | None = None
        self._packs: OrderedDict[Hashable, Pack] = OrderedDict()
        self._bytes = 0

    def get(self, dataset, key: Hashable) -> Pack | None:
        with self._lock:
            self._follow(dataset)
            found = self._packs.get(key)
            if found is not None:
                self._packs.move_to_end(key)
            return found

    def put(self, dataset, key: Hashable, pack: Pack) -> None:
        """Keep `pack` unless it is larger than the cache, or a newer store version is cached already."""
        with self._lock:
            current = self._dataset() if self._dataset is not None else None
            if (current is not None and current is not dataset) or len(pack.pdf) > self.max_bytes:
                return
            self._follow(dataset)
            old = self._packs.pop(key, None)
            self._bytes += len(pack.pdf) - (len(old.pdf) if old else 0)
            self._packs[key] = pack
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._packs.popitem(last=False)[1].pdf)

    def _follow(self, dataset) -> None:
        if self._dataset is None or self._dataset() is not dataset:
            self._dataset = weakref.ref(dataset)
            self._packs.clear()
            self._bytes = 0


@contextmanager
def released_app_place(environ: dict) -> Iterator[None]:
    """Give this request's place in the app (serving.workers.BoundedApp hands it over in `environ`) to
    the next request for the block, then wait for one again (in turn) to finish the answer. Nothing
    to give when the app was called without one (the Flask test client, the in-thread server)."""
    places = environ.get(PLACES_KEY)
    if places is None:
        yield
        return
    places.__exit__(None, None, None)
    try:
        yield
    finally:
        places.__enter__()
