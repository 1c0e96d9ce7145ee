"""Callback answers: a malformed callback refused in words, and answers kept per store version and viewer.

A callback's inputs are checked at the boundary, before Dash runs it, against the inputs and states
the callback declares: each in its place, each value of the type its property takes (a page address
starts with /, a click count is a bounded whole number, a control's value is a text, a number or a
list of them), and no number a browser cannot send (JavaScript's numbers: whole numbers up to 2**53,
never NaN or infinity). A body that fails is a 400 naming the first problem, as is one for a callback
that runs in the browser. A callback that still fails on a value it cannot take (TypeError,
ValueError, KeyError...) answers 400 too, and is logged as an error with its traceback: its inputs
passed the checks, so it may be the app's own bug.

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

import functools
import json
import logging
import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from flask import Flask, Response, g, request

from kcsp import access, runtime
from web.auth import request_user

log = logging.getLogger(__name__)

MAX_BYTES = 16 * 2**20
LAYOUT_PATH = "/_dash-layout"
CALLBACK_PATH = "/_dash-update-component"
MAX_SAFE_INTEGER = 2**53
"""JavaScript's largest exact whole number: a browser's JSON carries none bigger."""
MAX_ADDRESS = 2048
MAX_VALUE_TEXT = 100_000
ADDRESS_PROPS = frozenset({"search", "hash", "href"})
FILE_PROPS = frozenset({"contents", "filename"})
INPUT_ERRORS = (TypeError, ValueError, LookupError, ArithmeticError, AttributeError, RecursionError)
"""What a callback raises on a value it cannot take (a dict for a text, an integer too big for a date)."""
NOT_THIS_PAGE = "the callback's inputs are not values this page sends"

_lock = threading.Lock()
_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reads_only(func: Callable) -> Callable:
    """Mark a callback whose answer depends only on its inputs, the dataset and the viewer (it writes
    nothing and reads no clock): its answers may be kept."""
    func.reads_only = True
    return func


def _refused(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _number_problem(payload: object) -> str | None:
    """A number no browser sends, anywhere in the body (web.security has bounded its size and depth)."""
    stack = [payload]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
            return "a number in the body is beyond 2**53, which no browser sends"
        elif isinstance(value, float) and not math.isfinite(value):
            return "a number in the body is NaN or infinite, which no browser sends"
    return None


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float))


def value_problem(prop: str, value: object) -> str | None:
    """Why `value` cannot be the property `prop` of a component on this app's pages (None: it can).

    Properties with no rule here (a store's data, an id) may hold anything JSON does; the callbacks
    that read them check them."""
    if value is None:
        return None
    if prop == "pathname":
        if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_ADDRESS:
            return f"a page address must be a text starting with / (at most {MAX_ADDRESS} characters)"
    elif prop in ADDRESS_PROPS:
        if not isinstance(value, str) or len(value) > MAX_ADDRESS:
            return f"the address's {prop} must be a text of at most {MAX_ADDRESS} characters"
    elif prop.startswith("n_"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{prop} must be a count (a whole number, 0 or more)"
    elif prop == "value":
        items = value if isinstance(value, list) else [value]
        if not all(_scalar(item) for item in items):
            return "a control's value must be a text, a number or a list of them"
        if any(isinstance(item, str) and len(item) > MAX_VALUE_TEXT for item in items):
            return f"a control's value must be at most {MAX_VALUE_TEXT} characters"
    elif prop in FILE_PROPS:
        if not all(isinstance(item, str) for item in (value if isinstance(value, list) else [value])):
            return f"an upload's {prop} must be a text"
    elif prop == "selectedRows" and not (isinstance(value, list) and all(isinstance(row, dict) for row in value)):
        return "the selected rows must be a list of rows"
    return None


def _entry_problem(where: str, declared: Mapping, entry: object) -> str | None:
    """Why a body's input or state is not the one the callback declares there, or holds a value its
    property cannot take. A pattern-matching one (its declared id is a JSON object) is a list of
    matches, or one match."""
    pattern = declared["id"].startswith("{")
    for item in entry if pattern and isinstance(entry, list) else [entry]:
        if (not isinstance(item, dict) or item.get("property") != declared["property"]
                or not (isinstance(item.get("id"), dict) if pattern else item.get("id") == declared["id"])):
            return f"{where} is not the {declared['property']} of the component the callback takes there"
        problem = value_problem(declared["property"], item.get("value"))
        if problem:
            return f"{where}: {problem}"
    return None


def _outputs_problem(declared: object, outputs: object) -> str | None:
    """Why the body's outputs are not a list of the declared outputs, one for each (or, for one output,
    that output: a list of matches for a pattern-matching one). Dash checks each is the one declared."""
    if isinstance(declared, (list, tuple)):
        if not isinstance(outputs, list) or len(outputs) != len(declared):
            return f"the body's outputs must be a list of the callback's {len(declared)} outputs"
        return None
    pattern = isinstance(getattr(declared, "component_id", None), dict)
    if not isinstance(outputs, list if pattern else dict):
        return "the body's outputs must name the callback's output"
    return None


def callback_body_problem(payload: Mapping, callback: Mapping) -> str | None:
    """Why a callback body is not what the page sends for `callback` (an entry of Dash's callback map:
    its declared output or outputs, inputs and states), or None."""
    problem = None if callback.get("no_output") else _outputs_problem(callback.get("output"), payload.get("outputs"))
    if problem:
        return problem
    changed = payload.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(prop_id, str) for prop_id in changed):
        return "the body's changedPropIds must be a list of texts"
    for part, label in (("inputs", "input"), ("state", "state")):
        declared, given = callback.get(part, []), payload.get(part, [])
        if not isinstance(given, list) or len(given) != len(declared):
            return f"the callback takes {len(declared)} {part} as a list"
        for n, (dep, entry) in enumerate(zip(declared, given, strict=True), start=1):
            problem = _entry_problem(f"{label} {n}", dep, entry)
            if problem:
                return problem
    return _number_problem(payload)


def init_callback_checks(server: Flask, callbacks: Callable[[], Mapping[str, Mapping]]) -> None:
    """Check each callback body against the callback it names before Dash runs it (400 in words), and
    answer a callback's failure on a value it cannot take with a 400, logged as an error.

    `callbacks()` is Dash's callback map (output key: the callback's declared inputs and states).
    Install it once Dash's routes exist and before init_answers, so no malformed body reaches the
    kept answers or a callback. A body naming no callback is left to Dash (a 400, web.security).
    """
    dispatch = server.view_functions.get(CALLBACK_PATH)
    if dispatch is None:
        raise RuntimeError(f"no view answers {CALLBACK_PATH}: install the checks after Dash's routes")

    @server.before_request
    def _check_callback() -> Response | None:
        if request.method != "POST" or request.path != CALLBACK_PATH:
            return None
        payload = request.get_json(silent=True)
        output = payload.get("output") if isinstance(payload, dict) else None
        callback = callbacks().get(output) if isinstance(output, str) else None
        if callback is None:
            return None
        if "callback" not in callback:
            return _refused(400, "that callback runs in the browser, not on the server")
        problem = callback_body_problem(payload, callback)
        if problem:
            log.info("callback %s refused: %s", output[:200], problem)
            return _refused(400, f"{NOT_THIS_PAGE}: {problem}")
        return None

    @functools.wraps(dispatch)
    def checked_dispatch(*args, **kwargs):
        try:
            return dispatch(*args, **kwargs)
        except INPUT_ERRORS:
            payload = request.get_json(silent=True)
            output = payload.get("output") if isinstance(payload, dict) else None
            log.error("callback %s failed on inputs that passed the checks: a bug, or a check to add",
                      str(output)[:200], exc_info=True)
            return _refused(400, NOT_THIS_PAGE)

    server.view_functions[CALLBACK_PATH] = checked_dispatch


def _viewer() -> tuple:
    return access.cache_key(request_user())


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
