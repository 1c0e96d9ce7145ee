"""JSON and CSV routes for matters arising, through the one service in kcsp.matters:

- ``POST /api/matters-arising`` ``{meeting_id, text, owner, report_to_meeting_id?}`` (admins) -> 201
  ``{matter_id, version}``;
- ``PATCH /api/matters-arising/<id>`` ``{answer, expected_version, state?, reason?}`` (the owning
  priority's lead or an admin; only an admin withdraws) -> 200 ``{matter_id, version, state}``; 404 for
  an unknown matter; 409 with ``current_version`` when stale;
- ``GET /api/matters-arising.csv``: every matter as it stands; anyone may read it (matters arising
  are part of the public record of the meetings).

Other errors as ``POST /api/action-updates``: 401, 403, 422 (with the problem of each field).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from kcsp import matters, runtime
from kcsp.updates import Invalid, NotSignedIn, UpdateError
from web.api import csv_response, error_response, json_body
from web.auth import request_user

bp = Blueprint("matters_api", __name__)

PATCH_FIELDS = ("answer", "expected_version", "state", "reason")


def _refused(err: UpdateError) -> tuple[Response, int]:
    if isinstance(err, matters.NotFound):
        return jsonify({"error": err.message}), 404
    return error_response(err)


@bp.post("/api/matters-arising")
def raise_matter() -> tuple[Response, int]:
    user = request_user()
    try:
        if user is None:
            raise NotSignedIn("sign in, or send an API token or HTTP Basic credentials, to record matters arising")
        saved = matters.raise_matter(runtime.store(), user, json_body())
    except UpdateError as err:
        return _refused(err)
    return jsonify({"matter_id": saved.matter_id, "version": saved.version}), 201


@bp.patch("/api/matters-arising/<matter_id>")
def answer_matter(matter_id: str) -> tuple[Response, int]:
    user = request_user()
    try:
        if user is None:
            raise NotSignedIn("sign in, or send an API token or HTTP Basic credentials, to answer matters arising")
        body = json_body()
        unknown = [name for name in body if name not in PATCH_FIELDS]
        if unknown:
            raise Invalid({name: f"is not a field of an answer (fields: {', '.join(PATCH_FIELDS)})"
                           for name in unknown})
        saved = matters.answer_matter(runtime.store(), user, matter_id, body.get("answer"),
                                      body.get("expected_version"), state=body.get("state", "answered"),
                                      reason=body.get("reason"))
    except UpdateError as err:
        return _refused(err)
    return jsonify(saved._asdict()), 200


@bp.get("/api/matters-arising.csv")
def matters_csv() -> Response:
    store = runtime.store()
    frame = matters.csv_frame(store.read("matters_arising"), store.read("meetings"), store.read("priorities"))
    return csv_response(frame, "matters-arising.csv")
