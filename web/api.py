"""CSV and JSON routes: /healthz, /api/observations.csv, /api/district-comparison.csv,
/api/judgements.csv, /api/actions.csv, POST /api/action-updates and the import templates
/api/templates/<indicator>.csv|xlsx."""

from __future__ import annotations

import io
import json

import pandas as pd
from flask import Blueprint, Response, jsonify, request

from kcsp import access, disclosure, judgements, meetings, runtime
from kcsp.actions import ActionFilter
from kcsp.schema import TABLES
from kcsp.store import StoreError
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn, UpdateError, append_update
from kcsp.urlstate import parse_month
from web.auth import request_user

bp = Blueprint("api", __name__)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_START) else v)
    return out


def csv_response(frame: pd.DataFrame, filename: str) -> Response:
    buf = io.StringIO()
    spreadsheet_safe(frame).to_csv(buf, index=False, lineterminator="\n", float_format="%.10g")
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _problem(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> Response:
    """Whether the store reads and validates. An anonymous caller gets the status only (a count of
    rows would tell it when restricted actions, their updates or the audit record change); a
    signed-in one also the rows of each table."""
    store = runtime.store()
    try:
        tables = {name: store.read(name) for name in TABLES}
    except StoreError as err:
        return jsonify({"status": "error", "problems": [p.public() for p in err.problems[:50]]}), 503
    if not access.sees_restricted(request_user()):
        return jsonify({"status": "ok"})
    return jsonify({"status": "ok", "tables": {name: len(frame) for name, frame in tables.items()}})


def _months() -> dict[str, pd.Timestamp | None] | Response:
    bounds = {}
    for key in ("from", "to"):
        raw = request.args.get(key)
        if raw and parse_month(raw) is None:
            return _problem(422, f"{key}: {raw!r} is not a month (YYYY-MM)")
        bounds[key] = parse_month(raw)
    return bounds


def _dataset():
    """The dataset a request reads: today's, or with ``meeting=YYYY-MM-DD`` the store as it stood at
    that meeting (kcsp.runtime.meeting: the data behind its page, slides and pack). A bad date is 422,
    a date with no meeting 404."""
    asked = request.args.get("meeting")
    if asked is None:
        return runtime.dataset()
    try:
        meetings.parse_date(asked)
    except meetings.MeetingError as err:
        return _problem(422, f"meeting: {err}")
    try:
        return runtime.meeting(asked)[1]
    except meetings.MeetingError as err:
        return _problem(404, f"meeting: {err}")


def _indicator_and_period():
    """The request's indicator and from/to months, or the 422 response saying what is wrong."""
    ds = _dataset()
    if isinstance(ds, Response):
        return ds
    indicator_id = request.args.get("indicator", "")
    if not ds.has_indicator(indicator_id):
        return _problem(422, f"indicator: unknown indicator {indicator_id!r}")
    bounds = _months()
    if isinstance(bounds, Response):
        return bounds
    return ds, indicator_id, bounds


OBSERVATION_COLUMNS = ["indicator_id", "area_code", "area_name", "period", "period_label", "value", "unit",
                       "illustrative", "import_id", "withheld", "rolling", "rolling_withheld", "disclosure",
                       "rolling_disclosure", "withheld_reason"]


def _reasons(frame: pd.DataFrame, *, reveal: bool, total: bool) -> list[str]:
    """Why each row's figure and rolling year's total are as they are, in words (kcsp.disclosure):
    blank where both are exact figures the public sees too."""
    gap = "no figure: not every area reported for this period" if total else "no figure is held for this period"
    out = []
    for missing, value_code, rolling_code in zip(frame["missing"], frame["disclosure"], frame["rolling_disclosure"],
                                                 strict=True):
        parts = [gap] if missing else []
        for what, code in (("figure", value_code), ("rolling year", rolling_code)):
            words = disclosure.reason(code, reveal=reveal)
            if words:
                parts.append(f"{what}: {words}")
        out.append("; ".join(parts))
    return out


def _as_seen(codes: pd.Series, *, reveal: bool) -> pd.Series:
    """How the figures this viewer gets were made: the public's codes, or exact for a signed-in viewer."""
    return codes.where(codes.eq("") | (not reveal), disclosure.EXACT)


def observation_rows(ds, indicator_id: str, area: str, start: pd.Timestamp | None, end: pd.Timestamp | None, *,
                     reveal: bool) -> pd.DataFrame:
    """The rows /api/observations.csv gives for one area (OBSERVATION_COLUMNS), as this viewer may see them."""
    if ds.has_data(indicator_id, area):
        frame = ds.trend(indicator_id, area, start, end, reveal=reveal)
    else:
        frame = ds.trend(indicator_id, area).iloc[0:0]
    ind = ds.indicator(indicator_id)
    freq = ds.frequency(indicator_id)
    flag = {True: "true", False: "false"}
    return pd.DataFrame({
        "indicator_id": indicator_id,
        "area_code": area,
        "area_name": ds.area_name(area),
        "period": frame["period"].dt.strftime("%Y-%m"),
        "period_label": [freq.label(p) for p in frame["period"]],
        "value": frame["value"].round().astype("Int64"),
        "unit": ind["unit"],
        "illustrative": frame["illustrative"].map(flag),
        "import_id": frame["import_id"],
        "withheld": frame["withheld"].map(flag),
        "rolling": frame["rolling"].round().astype("Int64"),
        "rolling_withheld": frame["rolling_withheld"].map(flag),
        "disclosure": _as_seen(frame["disclosure"], reveal=reveal),
        "rolling_disclosure": _as_seen(frame["rolling_disclosure"], reveal=reveal),
        "withheld_reason": _reasons(frame, reveal=reveal, total=area == ds.total_code(indicator_id)),
    }, columns=OBSERVATION_COLUMNS)


@bp.get("/api/observations.csv")
def observations_csv() -> Response:
    """The values a trend chart draws: one row per period, with the rolling year's total, as this
    viewer may see them. For a small-number measure (kcsp.disclosure) `disclosure` and
    `rolling_disclosure` say how the public's figures are made (exact, rounded, withheld, derived or
    derived-withheld), `withheld` and `rolling_withheld` which the public is not shown, and
    `withheld_reason` why, in words; a signed-in viewer gets the exact figures, marked as not for
    publication."""
    found = _indicator_and_period()
    if isinstance(found, Response):
        return found
    ds, indicator_id, bounds = found
    area = request.args.get("area") or ds.total_code(indicator_id)
    if area not in set(ds.areas["area_code"]):
        area = ds.area_code_for_slug(area) or area
    if area not in set(ds.areas["area_code"]):
        return _problem(422, f"area: unknown area code {area!r}")
    out = observation_rows(ds, indicator_id, area, bounds["from"], bounds["to"],
                           reveal=access.reveals_withheld(request_user()))
    return csv_response(out, f"{indicator_id}_{area}.csv")


@bp.get("/api/district-comparison.csv")
def district_comparison_csv() -> Response:
    """The district comparison a priority page draws: counts, rates, intervals and verdicts."""
    found = _indicator_and_period()
    if isinstance(found, Response):
        return found
    ds, indicator_id, bounds = found
    if ds.indicator(indicator_id)["geography"] != "district":
        return _problem(422, f"indicator: {indicator_id!r} is held for the county only")
    rows = judgements.table(ds, indicator_id, bounds["from"], bounds["to"],
                            reveal=access.reveals_withheld(request_user()))
    rows = rows[rows["kind"] == judgements.COMPARISON].drop(columns=["kind", "previous_from", "previous_to",
                                                                     "previous_count", "p_value"])
    if rows["from"].isna().all():
        return _problem(422, f"indicator: {indicator_id!r} has no complete figures for this period")
    rows.insert(2, "area_name", [ds.area_name(c) for c in rows["area_code"]])
    ranks = ds.tables["deprivation"].set_index("area_code")["imd_rank"]
    rows["imd_rank"] = rows["area_code"].map(ranks).astype("Int64")
    return csv_response(rows, f"{indicator_id}_districts.csv")


@bp.get("/api/judgements.csv")
def judgements_csv() -> Response:
    """Every verdict of an indicator for a window: one row per area and kind (see kcsp.judgements)."""
    found = _indicator_and_period()
    if isinstance(found, Response):
        return found
    ds, indicator_id, bounds = found
    rows = judgements.table(ds, indicator_id, bounds["from"], bounds["to"],
                            reveal=access.reveals_withheld(request_user()))
    return csv_response(rows, f"{indicator_id}_judgements.csv")


@bp.get("/api/templates/<indicator_id>.<fmt>")
def indicator_template(indicator_id: str, fmt: str) -> Response:
    """A template for a partner's figures (admins and analysts): areas down the side, recent periods across."""
    from kcsp.importers.template import template_csv, template_xlsx

    user = request_user()
    if user is None:
        return _problem(401, "sign in as an admin or analyst to download templates")
    if not access.can(user, access.IMPORT_FIGURES):
        return _problem(403, "templates are for admins and analysts")
    ds = runtime.dataset()
    if not ds.has_indicator(indicator_id) or fmt not in ("csv", "xlsx"):
        return _problem(404, "no such template: /api/templates/<indicator>.csv or .xlsx")
    ind, today = ds.indicator(indicator_id), pd.Timestamp.today()
    if fmt == "csv":
        body, mimetype = template_csv(ind, ds.register, today), "text/csv"
    else:
        body = template_xlsx(ind, ds.register, today)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{indicator_id}-template.{fmt}"'})


ACTION_CSV_COLUMNS = ["action_id", "priority_id", "title", "classification", "status", "version", "lead_agency",
                      "owner_role", "themes", "areas", "start", "due", "overdue", "progress", "updated_by",
                      "updated_at", "state", "revision"]
UPDATE_ERROR_STATUS = {NotSignedIn: 401, Forbidden: 403, Conflict: 409, Invalid: 422}


@bp.get("/api/actions.csv")
def actions_csv() -> Response:
    """Every action with its latest status, or those passing the /actions page's filters.

    Optional filters: priority, status (repeatable), lead_agency, theme, district (area slug;
    county-wide actions always pass), due_from and due_to (YYYY-MM-DD), overdue=1; and meeting=YYYY-MM-DD,
    the plan as it stood at that meeting.
    """
    try:
        chosen = ActionFilter.from_args(request.args)
    except ValueError as err:
        return _problem(422, str(err))
    ds = _dataset()
    if isinstance(ds, Response):
        return ds
    frame = chosen.apply(ds.action_status(include_restricted=access.sees_restricted(request_user())))
    out = frame[ACTION_CSV_COLUMNS].copy()
    for col in ("start", "due"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    return csv_response(out, "actions.csv")


def error_response(err: UpdateError, conflict_key: str = "current_version") -> tuple[Response, int]:
    """A refused write as JSON: 401, 403, 409 (with the current version and latest state) or 422 (with
    the problem of each field)."""
    status = UPDATE_ERROR_STATUS[type(err)]
    payload: dict = {"error": err.message}
    if isinstance(err, Invalid):
        payload["problems"] = err.problems
    if isinstance(err, Conflict):
        payload.update({conflict_key: err.current_version, "latest": err.latest})
    response = jsonify(payload)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="kcsp", charset="UTF-8"'
    return response, status


def json_body() -> dict:
    """The request's JSON object; Invalid unless it was sent as exactly application/json (which a
    cross-site HTML form cannot send, so a signed-in browser cannot be made to write from another site)
    and parses (malformed or too deeply nested JSON is the client's mistake, never a 500)."""
    body = None
    if request.mimetype == "application/json":
        try:
            body = json.loads(request.get_data())
        except (ValueError, RecursionError):
            body = None
    if not isinstance(body, dict):
        raise Invalid({"body": "must be a JSON object sent with Content-Type: application/json"})
    return body


@bp.post("/api/action-updates")
def action_updates() -> tuple[Response, int]:
    """Append a progress update: JSON {action_id, status, progress, expected_version} -> 201
    {update_id, version}; 401, 403, 409 (with the current version and latest update) or 422.

    The body must be sent as application/json: a cross-site HTML form cannot send that, so a signed-in
    browser cannot be made to post an update from another site.
    """
    user = request_user()
    try:
        if user is None:
            raise NotSignedIn("sign in, or send an API token or HTTP Basic credentials, to update actions")
        body = json_body()
        appended = append_update(runtime.store(), user, body.get("action_id"), body.get("status"),
                                 body.get("progress"), body.get("expected_version"))
    except UpdateError as err:
        return error_response(err)
    return jsonify({"update_id": appended.update_id, "version": appended.version}), 201
