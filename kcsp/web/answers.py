"""Answers kept per store version and viewer: a page's layout, and callbacks that only read.

Twenty people opening the same pages before a meeting ask the same questions. A layout answer
depends only on the dataset, the page the browser is opening (its Referer) and who is asking; a
read-only callback's answer only on the dataset, the request body (its inputs and states) and who
is asking. Those make the key, and the answer's bytes are kept: a repeat is sent without building
or serialising anything.

The answers live as long as their dataset (`kcsp.memo`): an update or an import makes a new
dataset, and with it an empty cache. Each worker keeps at most MAX_BYTES. Only 200 JSON answers
that set no cookie are kept. See docs/cache-map.md.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

from flask import Flask, Response, g, request

from kcsp import runtime
from kcsp.web.auth import request_user

MAX_BYTES = 16 * 2**20
LAYOUT_PATH = "/_dash-layout"
CALLBACK_PATH = "/_dash-update-component"

_lock = threading.Lock()
_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reads_only(func: Callable) -> Callable:
    """Mark a callback whose answer depends only on its inputs, the dataset and the viewer (it writes
    nothing and reads no clock): its answers may be kept."""
    func.reads_only = True
    return func


def _viewer() -> tuple | None:
    user = request_user()
    return None if user is None else (user.name, user.role, user.priorities)


def _key(cacheable_outputs: frozenset[str]) -> tuple | None:
    if request.method == "GET" and request.path == LAYOUT_PATH:
        return ("layout", request.referrer, _viewer())
    if request.method == "POST" and request.path == CALLBACK_PATH:
        body = request.get_data(cache=True)
        try:
            output = json.loads(body).get("output")
        except (ValueError, AttributeError):
            return None
        if output in cacheable_outputs:
            return ("callback", body, _viewer())
    return None


def _lookup(dataset, key: tuple) -> tuple[bytes, str] | None:
    with _lock:
        kept = _kept.get(dataset)
        if kept is None or key not in kept:
            return None
        kept.move_to_end(key)
        return kept[key]


def _keep(dataset, key: tuple, body: bytes, mimetype: str) -> None:
    with _lock:
        kept = _kept.setdefault(dataset, OrderedDict())
        kept[key] = (body, mimetype)
        total = sum(len(b) for b, _ in kept.values())
        while total > MAX_BYTES and kept:
            _, (dropped, _) = kept.popitem(last=False)
            total -= len(dropped)


def init_answers(server: Flask, cacheable_outputs: Callable[[], Iterable[str]]) -> None:
    """Serve kept answers before anything is built, and keep new ones. Register it after the security
    and sign-in checks: they still run first on every request. `cacheable_outputs` names the callbacks
    (Dash's output keys) whose answers may be kept; it is read once, at the first request."""
    outputs: list[frozenset[str]] = []

    @server.before_request
    def _answer_kept() -> Response | None:
        if runtime.store_problems():
            return None
        if not outputs:
            outputs.append(frozenset(cacheable_outputs()))
        key = _key(outputs[0])
        if key is None:
            return None
        dataset = runtime.dataset()
        found = _lookup(dataset, key)
        if found is not None:
            return Response(found[0], mimetype=found[1])
        g.answer_key = (dataset, key)
        return None

    @server.after_request
    def _keep_answer(response: Response) -> Response:
        pending = g.pop("answer_key", None)
        if (pending is not None and response.status_code == 200 and response.mimetype == "application/json"
                and "Set-Cookie" not in response.headers and not response.direct_passthrough):
            _keep(*pending, response.get_data(), response.mimetype)
        return response
