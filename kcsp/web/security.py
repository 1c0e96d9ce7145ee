"""Response hardening: Content-Security-Policy and other headers, and error pages without tracebacks."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request

log = logging.getLogger(__name__)


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


def init_security(server: Flask, *, script_hashes: Callable[[], list[str]]) -> None:
    """`script_hashes()` is asked on each response: Dash adds inline scripts (clientside callbacks)
    during its first-request set-up, after this is installed."""

    @server.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(script_hashes()))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith(("/api/", "/login", "/_dash-update-component")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @server.errorhandler(500)
    def _server_error(error) -> Response:
        log.error("unhandled error on %s %s: %r", request.method, request.path, error)
        return Response("Something went wrong on our side. The error has been logged.\n", status=500,
                        mimetype="text/plain")


STORE_PROBLEM_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Data store problem - Kent Community Safety Dashboard</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css"><link rel="stylesheet" href="/assets/10-app.css"></head>
<body><main id="main" class="container py-4"><h1 class="h3">The dashboard cannot read its data store</h1>
<p>Nothing has been changed. An administrator needs to fix or restore these files, or rebuild the store
with <code>python -m kcsp build-demo</code>; the dashboard recovers by itself once the files are valid.</p>
<ul>{items}</ul></main></body></html>"""


def init_store_guard(server: Flask, problems) -> None:
    """While the store cannot be read, every page answers 503 with the files and reasons, in words.

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
            return jsonify({"status": "error", "problems": [str(p) for p in found]}), 503
        log.error("store problem: %s", "; ".join(str(p) for p in found[:5]))
        if request.path.startswith(("/api/", "/_dash-")):
            return Response("the data store cannot be read:\n" + "\n".join(str(p) for p in found) + "\n",
                            status=503, mimetype="text/plain")
        items = "".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in found[:50])
        return Response(STORE_PROBLEM_PAGE.format(items=items), status=503, mimetype="text/html")

    server.before_request_funcs.setdefault(None, []).insert(0, _guard)
