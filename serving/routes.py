"""`GET /meeting/pack.pdf?meeting=YYYY-MM-DD[&district=SLUG]`: the meeting pack as PDF, from the page.

Rendered by `serving.pack.render_pack` (the renderer of `python -m kcsp meeting-pack`) against this
worker's own app, served from a thread on a loopback port started on the first request, in the
worker's one headless Chromium. A signed-in user's pack is rendered with that user's credentials (so
it holds restricted actions, marked); an anonymous pack with none. PDFs are kept per store version,
meeting, district and viewer class (anonymous or signed in): what a pack shows depends on nothing
else. A kept pack is sent at once. A new one is made on the worker's render queue
(serving.render_queue), apart from the pages: the request gives its place in the app back while it
waits, a full queue answers 503 and a client over its limits 429, both with Retry-After; a failure
answers 503 with the reason in words. Every PDF carries its SHA-256 in X-Pack-SHA256.
"""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, Response, current_app, request

from kcsp import meetings, runtime
from kcsp.web.auth import request_user
from serving import server
from serving.chromium import ChromiumError, SharedBrowser
from serving.pack import PackError, render_pack
from serving.render_queue import (
    START_WAIT_S,
    Limits,
    Pack,
    PackCache,
    Refused,
    RenderQueue,
    client_key,
    released_app_place,
)

bp = Blueprint("pack", __name__)
log = logging.getLogger(__name__)

WEB_TIMEOUT_S = 45
"""The longest a render may take; with START_WAIT_S in the queue, the longest a request waits for one."""
FAILED_RETRY_AFTER_S = 60
FORWARDED = ("Cookie", "Authorization")

LIMITS = Limits.from_environ()
queue = RenderQueue(LIMITS, browser=SharedBrowser())
packs = PackCache(LIMITS.cache_bytes)
_own_lock = threading.Lock()
_own: dict[str, str] = {}


def _own_url(app) -> str:
    """This worker's app served from a thread (started once, on first use)."""
    with _own_lock:
        if "url" not in _own:
            _own["url"] = server.serve_in_background(app).url
        return _own["url"]


def _problem(status: int, message: str, retry_after: int | None = None) -> Response:
    response = Response(message + "\n", status=status, mimetype="text/plain")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _made(dataset, key: tuple[str, str | None, bool]) -> Pack:
    """The pack `key` made on the render queue (its credentials go with the render when signed in)."""
    meeting_iso, district, signed_in = key
    headers = {h: request.headers[h] for h in FORWARDED if signed_in and h in request.headers}
    app = current_app._get_current_object()

    def work(browser) -> Pack:
        pdf, _ = render_pack(_own_url(app), meeting_iso, district, headers=headers, timeout=WEB_TIMEOUT_S,
                             browser=browser)
        pack = Pack.of(pdf)
        packs.put(dataset, key, pack)
        return pack

    client = client_key(request.remote_addr)
    with queue.join((id(dataset), *key), work, client) as ticket, released_app_place(request.environ):
        return ticket.result(START_WAIT_S + WEB_TIMEOUT_S + 5)


@bp.get("/meeting/pack.pdf")
def meeting_pack_pdf() -> Response:
    ds = runtime.dataset()
    district = request.args.get("district") or None
    if district is not None and district not in set(ds.districts()["area_slug"]):
        return _problem(404, f"district: there is no district called {district!r} (e.g. thanet, tonbridge-and-malling)")
    asked = request.args.get("meeting") or None
    try:
        if asked is not None:
            meetings.parse_date(asked)
    except meetings.MeetingError as err:
        return _problem(422, f"meeting: {err}")
    try:
        view = meetings.meeting_view(ds.meetings, asked, ds.today)
    except meetings.MeetingError as err:
        return _problem(404, f"meeting: {err}")
    signed_in = request_user() is not None
    key = (view.meeting.iso, district, signed_in)
    pack = packs.get(ds, key)
    if pack is None:
        try:
            pack = _made(ds, key)
        except Refused as refused:
            return _problem(refused.status, str(refused), refused.retry_after)
        except (PackError, ChromiumError, server.ServerError) as err:
            log.error("meeting pack %s (%s) failed: %s", view.meeting.iso, district or "Kent", err)
            return _problem(503, f"The meeting pack could not be built just now: {err}. Try again in a minute; "
                                 "the meeting page itself can be printed instead.", FAILED_RETRY_AFTER_S)
    name = f"meeting-pack-{view.meeting.iso}{'-' + district if district else ''}.pdf"
    return Response(pack.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store" if signed_in else "no-cache",
        "X-Pack-SHA256": pack.sha256,
    })
