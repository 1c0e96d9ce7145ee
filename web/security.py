"""Response hardening: security headers and no-store on every answer, a request-size limit, bounds
on what a Dash callback may send, and error answers in words (never a traceback, never a 500 for a
client's mistake, never a stored value)."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable

from filelock import Timeout
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kcsp import runtime
from web.sessions import STATIC_PREFIXES

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
MAX_CALLBACK_LIST = 100
MAX_CALLBACK_DEPTH = 32
BUSY_RETRY_AFTER_S = 5
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _plain(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def callback_problem(payload: object) -> str | None:
    """Why a Dash callback request is refused before it runs (None: it may run).

    Dash sends a small JSON object; any list in it is bounded (a filter's choices, the outputs of one
    callback), and so is its nesting, so no request can make a callback loop over a huge input.
    """
    if not isinstance(payload, dict):
        return "the body must be a JSON object"
    if not isinstance(payload.get("output", ""), str):
        return "the body's output must be a text"
    for part in ("inputs", "state", "changedPropIds"):
        if not isinstance(payload.get(part, []), list):
            return f"the body's {part} must be a list"
    stack: list[tuple[object, int]] = [(payload, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CALLBACK_DEPTH:
            return f"the body is nested more than {MAX_CALLBACK_DEPTH} levels deep"
        if isinstance(value, list):
            if len(value) > MAX_CALLBACK_LIST:
                return f"a list in the body has {len(value)} items; at most {MAX_CALLBACK_LIST} are accepted"
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
    return None


def content_security_policy(script_hashes: list[str]) -> str:
    """A policy the app works under: scripts only from this site (plus Dash's inline scripts by
    hash, each already quoted as 'sha256-...'), styles from this site and inline (plotly draws with
    inline styles), no framing."""
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_security(server: Flask, *, script_hashes: Callable[[], list[str]], max_body_bytes: int) -> None:
    """`script_hashes()` is asked on each response: Dash adds inline scripts (clientside callbacks)
    during its first-request set-up, after this is installed."""

    server.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    server.config["MAX_FORM_MEMORY_SIZE"] = max_body_bytes

    @server.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.path.startswith(STATIC_PREFIXES):
            # Pages, layouts, callbacks and the API may all depend on who is asking.
            response.headers["Cache-Control"] = "no-store"
        return response

    def _check_request() -> Response | None:
        if request.content_length is not None and request.content_length > max_body_bytes:
            return _plain(413, f"the request body is over the limit of {max_body_bytes} bytes")
        if request.path == CALLBACK_PATH and request.method == "POST":
            if request.mimetype != "application/json":
                return _plain(415, "a callback must be sent as application/json")
            try:
                payload = json.loads(request.get_data())
            except (ValueError, RecursionError):
                return _plain(400, "the callback body is not valid JSON")
            problem = callback_problem(payload)
            if problem:
                return _plain(422, problem)
        return None

    server.before_request_funcs.setdefault(None, []).insert(0, _check_request)

    @server.errorhandler(Timeout)
    def _busy(error) -> Response:
        log.warning("store lock not free in time on %s %s", request.method, request.path)
        response = _plain(503, "The dashboard is busy saving other changes: try again in a few seconds. "
                               "Nothing was saved.")
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
        return response

    @server.errorhandler(Exception)
    def _server_error(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return error
        if isinstance(error, TimeoutError):
            return _plain(408, "the request was not sent in time")
        # Dash raises its own CallbackException (not a subclass of it) when a request's inputs match no
        # callback's definition; its subclasses are the app's own mistakes and stay 500s.
        if request.path == CALLBACK_PATH and (type(error).__name__ == "CallbackException" or isinstance(
                error, (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError))):
            # A callback fed values no page of this app sends (a dict for a text, say).
            log.warning("callback refused a malformed input: %r", error, exc_info=error)
            return _plain(400, "the callback's inputs are not values this page sends")
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _plain(500, "Something went wrong on our side. The error has been logged.")


STORE_PROBLEM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data store problem - {product}</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/05-vocabulary.css">
<link rel="stylesheet" href="/assets/10-app.css"></head>
<body><main id="main" class="container py-4"><h1 class="h3">The dashboard cannot read its data store</h1>
<p>Nothing has been changed. An administrator needs to fix or restore these files, or rebuild the store
with <code>python -m kcsp build-demo</code>; the dashboard recovers by itself once the files are valid.</p>
<ul>{items}</ul></main></body></html>"""


def init_store_guard(server: Flask, problems) -> None:
    """While the store cannot be read, every page answers 503 with the files, rows, columns and
    reasons, in words, never a cell's value (that may be restricted text); the log adds full paths.

    The guard runs before Dash's own first-request set-up, which would otherwise fail on the store.

    `problems()` returns the current list of problems (empty when the store is valid).
    """

    def _guard() -> Response | None:
        if request.path.startswith(("/assets/", "/_favicon")):
            return None
        found = problems()
        if not found:
            return None
        if request.path == "/healthz":
            return jsonify({"status": "error", "problems": [p.public() for p in found[:50]]}), 503
        log.error("store problem: %s", "; ".join(p.public(full_path=True) for p in found[:5]))
        if request.path.startswith(("/api/", "/_dash-")):
            return Response("the data store cannot be read:\n" + "\n".join(p.public() for p in found[:50]) + "\n",
                            status=503, mimetype="text/plain")
        items = "".join(f"<li><code>{html.escape(p.public())}</code></li>" for p in found[:50])
        page = STORE_PROBLEM_PAGE.format(product=html.escape(runtime.product_name()), items=items)
        return Response(page, status=503, mimetype="text/html")

    server.before_request_funcs.setdefault(None, []).insert(0, _guard)
