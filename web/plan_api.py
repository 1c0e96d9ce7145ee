"""JSON routes that keep the plan and the calendar, through the one service in kcsp.plan:

- ``POST /api/actions``: create (admin) or propose (a priority's lead) an action -> 201
  ``{action_id, revision, state}``;
- ``PATCH /api/actions/<id>``: ``{expected_revision, <fields>..., state?, reason?}`` -> 200
  ``{action_id, revision, state}``; 409 with ``current_revision`` when stale;
- ``GET /api/actions/<id>/history``: the action's updates and plan changes;
- ``POST /api/meetings`` ``{date, body, name?}`` and ``PATCH /api/meetings/<id>`` ``{date?, cancelled?}``
  (admins);
- ``GET /api/audit.csv``: the audit record (admins).

Errors as ``POST /api/action-updates``: 401, 403, 409, 422 (with the field).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from kcsp import access, plan, runtime
from kcsp.updates import Forbidden, NotSignedIn, UpdateError
from web.api import csv_response, error_response, json_body
from web.auth import request_user

bp = Blueprint("plan_api", __name__)


@bp.post("/api/actions")
def create_action() -> tuple[Response, int]:
    try:
        saved = plan.create_action(runtime.store(), request_user(), json_body())
    except UpdateError as err:
        return error_response(err)
    return jsonify(saved._asdict()), 201


@bp.patch("/api/actions/<action_id>")
def edit_action(action_id: str) -> tuple[Response, int]:
    try:
        body = json_body()
        fields = {k: v for k, v in body.items() if k not in ("expected_revision", "reason")}
        saved = plan.edit_action(runtime.store(), request_user(), action_id, fields,
                                 body.get("expected_revision"), body.get("reason"))
    except UpdateError as err:
        return error_response(err, "current_revision")
    return jsonify(saved._asdict()), 200


@bp.get("/api/actions/<action_id>/history")
def action_history(action_id: str) -> tuple[Response, int]:
    ds = runtime.dataset()
    action = ds.action(action_id, include_restricted=access.sees_restricted(request_user()))
    if action is None:
        return jsonify({"error": f"there is no action {action_id}"}), 404
    updates = ds.history(action_id)
    changes = ds.plan_history(action_id)
    return jsonify({
        "action_id": action_id, "version": int(action["version"]), "revision": int(action["revision"]),
        "updates": updates.astype(object).where(updates.notna(), None).to_dict("records"),
        "changes": changes.astype(object).where(changes.notna(), None).to_dict("records"),
    }), 200


@bp.post("/api/meetings")
def add_meeting() -> tuple[Response, int]:
    try:
        body = json_body()
        saved = plan.add_meeting(runtime.store(), request_user(), body.get("date"), body.get("body"),
                                 body.get("name"))
    except UpdateError as err:
        return error_response(err)
    return jsonify(saved._asdict()), 201


@bp.patch("/api/meetings/<meeting_id>")
def change_meeting(meeting_id: str) -> tuple[Response, int]:
    try:
        body = json_body()
        saved = plan.change_meeting(runtime.store(), request_user(), meeting_id, date=body.get("date"),
                                    cancelled=body.get("cancelled"))
    except UpdateError as err:
        return error_response(err)
    return jsonify(saved._asdict()), 200


@bp.get("/api/audit.csv")
def audit_csv():
    user = request_user()
    try:
        if user is None:
            raise NotSignedIn("sign in as an administrator to read the audit record")
        if not access.can(user, access.SEE_AUDIT):
            raise Forbidden("only administrators may read the audit record")
    except UpdateError as err:
        return error_response(err)
    return csv_response(runtime.store().read("audit"), "audit.csv")
