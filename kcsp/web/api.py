"""CSV and JSON routes: /healthz, /api/observations.csv and /api/actions.csv."""

from __future__ import annotations

import io

import pandas as pd
from flask import Blueprint, Response, jsonify, request

from kcsp import runtime
from kcsp.schema import TABLES
from kcsp.store import StoreError
from kcsp.urlstate import parse_month
from kcsp.web.auth import request_user

bp = Blueprint("api", __name__)


def _csv(frame: pd.DataFrame, filename: str) -> Response:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _problem(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.get("/healthz")
def healthz() -> Response:
    store = runtime.store()
    try:
        tables = {name: len(store.read(name)) for name in TABLES}
    except StoreError as err:
        return jsonify({"status": "error", "problems": [str(p) for p in err.problems]}), 503
    return jsonify({"status": "ok", "tables": tables})


def _months() -> dict[str, pd.Timestamp | None] | Response:
    bounds = {}
    for key in ("from", "to"):
        raw = request.args.get(key)
        if raw and parse_month(raw) is None:
            return _problem(422, f"{key}: {raw!r} is not a month (YYYY-MM)")
        bounds[key] = parse_month(raw)
    return bounds


@bp.get("/api/observations.csv")
def observations_csv() -> Response:
    ds = runtime.dataset()
    indicator_id = request.args.get("indicator", "")
    if not ds.has_indicator(indicator_id):
        return _problem(422, f"indicator: unknown indicator {indicator_id!r}")
    area = request.args.get("area") or ds.total_code(indicator_id)
    if area not in set(ds.areas["area_code"]):
        area = ds.area_code_for_slug(area) or area
    if area not in set(ds.areas["area_code"]):
        return _problem(422, f"area: unknown area code {area!r}")
    bounds = _months()
    if isinstance(bounds, Response):
        return bounds
    frame = ds.series(indicator_id, area, bounds["from"], bounds["to"]).copy()
    ind = ds.indicator(indicator_id)
    out = pd.DataFrame({
        "indicator_id": indicator_id,
        "area_code": area,
        "area_name": ds.area_name(area),
        "period": frame["period"].dt.strftime("%Y-%m"),
        "value": frame["value"].astype("int64"),
        "unit": ind["unit"],
        "illustrative": "true" if ind["illustrative"] else "false",
    })
    return _csv(out, f"{indicator_id}_{area}.csv")


@bp.get("/api/district-comparison.csv")
def district_comparison_csv() -> Response:
    """The district comparison a priority page draws: counts, rates, intervals and judgements."""
    ds = runtime.dataset()
    indicator_id = request.args.get("indicator", "")
    if not ds.has_indicator(indicator_id):
        return _problem(422, f"indicator: unknown indicator {indicator_id!r}")
    bounds = _months()
    if isinstance(bounds, Response):
        return bounds
    frame = ds.district_breakdown(indicator_id, bounds["from"], bounds["to"])
    if frame.empty:
        return _problem(422, f"indicator: {indicator_id!r} has no district figures for this period")
    out = frame[["area_code", "area_name", "count", "population", "rate", "lower", "upper", "judgement",
                 "suppressed", "benchmark"]].copy()
    out.loc[out["suppressed"], ["count", "rate", "lower", "upper"]] = None
    out.insert(0, "indicator_id", indicator_id)
    out.insert(1, "from", frame["first"].dt.strftime("%Y-%m"))
    out.insert(2, "to", frame["last"].dt.strftime("%Y-%m"))
    return _csv(out.round(4), f"{indicator_id}_districts.csv")


@bp.get("/api/actions.csv")
def actions_csv() -> Response:
    ds = runtime.dataset()
    frame = ds.action_status(include_restricted=request_user() is not None)
    out = frame[["action_id", "priority_id", "title", "classification", "status", "version", "lead_agency",
                 "owner_role", "themes", "areas", "start", "due", "overdue", "progress", "updated_by",
                 "updated_at"]].copy()
    for col in ("start", "due"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    return _csv(out, "actions.csv")
