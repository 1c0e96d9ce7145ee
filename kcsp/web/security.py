"""Response hardening: Content-Security-Policy and other headers, and error pages without tracebacks."""

from __future__ import annotations

import logging

from flask import Flask, Response, request

log = logging.getLogger(__name__)


def content_security_policy(script_hashes: list[str]) -> str:
    """A policy the app works under: scripts only from this site (plus Dash's inline bootstrap by
    hash), styles from this site and inline (plotly draws with inline styles), no framing."""
    scripts = " ".join(["'self'", *(f"'{h}'" for h in script_hashes)])
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


def init_security(server: Flask, *, script_hashes: list[str]) -> None:
    policy = content_security_policy(script_hashes)

    @server.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
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
