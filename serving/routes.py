"""`GET /meeting/pack.pdf?meeting=YYYY-MM-DD[&district=SLUG]`: the meeting pack as PDF, from the page.

Rendered by `serving.pack.render_pack` (the renderer of `python -m kcsp meeting-pack`) against this
worker's own app, served from a thread on a loopback port started on the first request. A signed-in
user's pack is rendered with that user's credentials (so it holds restricted actions, marked); an
anonymous pack with none. PDFs are kept per store version, meeting, district and viewer class
(anonymous or signed in): what a pack shows depends on nothing else. One pack is rendered at a time
per worker; a failure answers 503 with the reason in words.
"""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, Response, current_app, request

from kcsp import meetings, runtime
from kcsp.memo import per_dataset
from kcsp.web.auth import request_user
from serving import server
from serving.pack import PackError, render_pack

bp = Blueprint("pack", __name__)
log = logging.getLogger(__name__)

PACKS_KEPT = 16
WEB_TIMEOUT_S = 45
"""Below gunicorn's worker timeout (gunicorn.conf.py), so a slow render ends with a message, not a killed worker."""
FORWARDED = ("Cookie", "Authorization")

_render_lock = threading.Lock()
_own: dict[str, str] = {}


def _own_url(app) -> str:
    """This worker's app served from a thread (started once, on first use)."""
    if "url" not in _own:
        _own["url"] = server.serve_in_background(app).url
    return _own["url"]


@per_dataset(maxsize=PACKS_KEPT)
def _pack_pdf(dataset, meeting_iso: str, district: str | None, signed_in: bool) -> bytes:
    """Rendered in the request that first asks (its credentials go with the render when signed in)."""
    headers = {h: request.headers[h] for h in FORWARDED if signed_in and h in request.headers}
    with _render_lock:
        pdf, _ = render_pack(_own_url(current_app._get_current_object()), meeting_iso, district, headers=headers,
                             timeout=WEB_TIMEOUT_S)
    return pdf


def _problem(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


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
    try:
        pdf = _pack_pdf(ds, view.meeting.iso, district, signed_in)
    except (PackError, server.ServerError) as err:
        log.error("meeting pack %s (%s) failed: %s", view.meeting.iso, district or "Kent", err)
        return _problem(503, f"The meeting pack could not be built just now: {err}. Try again in a minute; "
                             "the meeting page itself can be printed instead.")
    name = f"meeting-pack-{view.meeting.iso}{'-' + district if district else ''}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store" if signed_in else "no-cache",
    })
