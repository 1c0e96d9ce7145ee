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

from flask import Blueprint, Response, current_app, jsonify, request

from kcsp import access, meetings, published, runtime
from kcsp.updates import UpdateError
from serving import server
from serving.chromium import ChromiumError, SharedBrowser
from serving.pack import PackError, count_pages, render_pack
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
from web.api import error_response, json_body
from web.auth import request_user

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


def _made(dataset, key: tuple[str, str | None, str]) -> Pack:
    """The pack `key` made on the render queue (its credentials go with the render for partners)."""
    meeting_iso, district, audience = key
    headers = {h: request.headers[h] for h in FORWARDED if audience == access.PARTNERS and h in request.headers}
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


def _pdf_response(pdf: bytes, sha256: str, name: str, audience: str, **extra: str) -> Response:
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-cache" if audience == access.PUBLIC else "private, no-store",
        "X-Pack-SHA256": sha256, **extra,
    })


def _version_asked() -> int | Response | None:
    raw = request.args.get("version")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) < 10_000:
        return _problem(422, f"version: {raw!r} is not a version number (1, 2, ...)")
    return int(raw)


def _published(view, district: str | None, audience: str) -> Response | None:
    """The meeting's pack as published (the version asked for, else the latest), or None if none is."""
    version = _version_asked()
    if isinstance(version, Response):
        return version
    table = runtime.dataset().tables["published_packs"]
    row = published.chosen(table, view.meeting.meeting_id, audience, version) if not district else None
    if row is None:
        if version is not None:
            return _problem(404, f"version: {view.meeting.name} has no published pack version {version}")
        return None
    try:
        pdf = published.read_pdf(runtime.store(), row)
    except published.PublishedPackDamaged as err:
        log.error("published pack of %s: %s", view.meeting.meeting_id, err)
        return _problem(503, f"The published pack cannot be served: {err}. An administrator has been told in the "
                             "log; the pack can still be made from the history (leave out version).",
                        FAILED_RETRY_AFTER_S)
    name = f"meeting-pack-{view.meeting.iso}-v{int(row['version'])}.pdf"
    return _pdf_response(pdf, str(row["sha256"]), name, audience, **{
        "X-Pack-Version": str(int(row["version"])),
        "X-Pack-Published": f"{row['published_at']} by {row['published_by']}"})


def _render_failed(view, district: str | None, err: Exception) -> Response:
    log.error("meeting pack %s (%s) failed: %s", view.meeting.iso, district or "the county", err)
    return _problem(503, f"The meeting pack could not be built just now: {err}. Try again in a minute; "
                         "the meeting page itself can be printed instead.", FAILED_RETRY_AFTER_S)


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
        view, _ = runtime.meeting(asked)
    except meetings.MeetingError as err:
        return _problem(404, f"meeting: {err}")
    audience = access.audience(request_user())
    kept = _published(view, district, audience)
    if kept is not None:
        return kept
    key = (view.meeting.iso, district, audience)
    pack = packs.get(ds, key)
    if pack is None:
        try:
            pack = _made(ds, key)
        except Refused as refused:
            return _problem(refused.status, str(refused), refused.retry_after)
        except (PackError, ChromiumError, server.ServerError) as err:
            return _render_failed(view, district, err)
    name = f"meeting-pack-{view.meeting.iso}{'-' + district if district else ''}.pdf"
    return _pdf_response(pack.pdf, pack.sha256, name, audience)


@bp.post("/api/meetings/<meeting_id>/publish")
def publish_pack(meeting_id: str) -> tuple[Response, int] | Response:
    """Admins: render the meeting's pack for both audiences (anyone's, and partners' with restricted
    actions) from the page as it stands, and keep them as its next published version. JSON body
    optional: ``{"reason": "..."}``, required for a correction. 201 ``{"version", "sha256",
    "partners_sha256"}``; 401, 403, 422 as the plan's writes; 503 when the pack cannot be rendered."""
    user = request_user()
    ds = runtime.dataset()
    try:
        body = json_body()
        published.check_request(ds.tables, user, meeting_id, body.get("reason"))
    except UpdateError as err:
        return error_response(err)
    row = ds.meetings[ds.meetings["meeting_id"] == meeting_id].iloc[0]
    iso = f"{row['date']:%Y-%m-%d}"
    app = current_app._get_current_object()
    credentials = {h: request.headers[h] for h in FORWARDED if h in request.headers}
    pdfs: dict[str, tuple[bytes, int]] = {}

    def work(browser) -> dict[str, tuple[bytes, int]]:
        for audience, headers in ((access.PUBLIC, {}), (access.PARTNERS, credentials)):
            pdf, _ = render_pack(_own_url(app), iso, None, headers=headers, timeout=WEB_TIMEOUT_S, browser=browser)
            pdfs[audience] = (pdf, count_pages(pdf))
        return pdfs

    try:
        with queue.join(("publish", meeting_id, id(ds)), work, client_key(request.remote_addr)) as ticket, \
                released_app_place(request.environ):
            made = ticket.result(START_WAIT_S + 2 * WEB_TIMEOUT_S + 5)
        done = published.publish(runtime.store(), user, meeting_id, made, body.get("reason"))
    except Refused as refused:
        return _problem(refused.status, str(refused), refused.retry_after)
    except (PackError, ChromiumError, server.ServerError) as err:
        return _render_failed(meetings.MeetingView(meetings.find_meeting(ds.meetings, iso), None, row["date"], False),
                              None, err)
    except UpdateError as err:
        return error_response(err)
    return jsonify({"version": done.version, "sha256": done.sha256["public"],
                    "partners_sha256": done.sha256["partners"]}), 201
