"""JSON routes for the meeting pack's texts, through the one service in kcsp.pack_texts:

- ``PUT /api/meetings/<meeting_id>/texts/<part>`` ``{body, references, expected_version}`` (part:
  ``introduction`` or a priority id) -> 201 ``{text_id, version}`` for the first version, 200 for a
  later one; 401, 403, 409 (with ``current_version`` and the latest text) or 422 (with the field);
- ``GET /api/meetings/<meeting_id>/texts/<part>/history``: every version, newest first. Anyone may
  read it: the texts are part of the meeting's public record.

The body must be sent as application/json (web.api.json_body), which a cross-site form cannot send.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from kcsp import pack_texts, runtime
from kcsp.updates import UpdateError
from web.api import error_response, json_body
from web.auth import request_user

bp = Blueprint("texts_api", __name__)


@bp.put("/api/meetings/<meeting_id>/texts/<part>")
def write_text(meeting_id: str, part: str) -> tuple[Response, int]:
    try:
        user = request_user()
        body = json_body() if user is not None else {}
        saved = pack_texts.write_text(runtime.store(), user, meeting_id, part, body.get("body"),
                                      body.get("references"), body.get("expected_version"))
    except UpdateError as err:
        return error_response(err)
    return jsonify(saved._asdict()), 201 if saved.version == 1 else 200


@bp.get("/api/meetings/<meeting_id>/texts/<part>/history")
def text_history(meeting_id: str, part: str) -> tuple[Response, int]:
    ds = runtime.dataset()
    if meeting_id not in set(ds.all_meetings["meeting_id"]):
        return jsonify({"error": f"there is no meeting {meeting_id}"}), 404
    rows = pack_texts.history(ds.tables["pack_texts"], meeting_id, part)
    versions = rows.astype(object).where(rows.notna(), None).to_dict("records")
    latest = int(rows["version"].max()) if len(rows) else 0
    return jsonify({"meeting_id": meeting_id, "part": part, "version": latest, "versions": versions}), 200
