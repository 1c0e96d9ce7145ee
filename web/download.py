"""`GET /api/download.zip`: every table the caller may see, as CSV, with a data dictionary.

What is in it is what the caller may see on the pages and in the CSV routes, built by the same
functions: observations as `/api/observations.csv` gives them (values a viewer who is not signed in
may not see left blank, marked withheld), every verdict as `/api/judgements.csv`, the actions and
their updates as `/api/actions.csv` (restricted ones only when signed in), and the reference tables
(areas, population, priorities, themes, indicators, series breaks, meetings, comparators), matters
arising and the pack texts. The audit record and the mail log are never in it.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from flask import Blueprint, Response

from kcsp import access, judgements, runtime
from kcsp.memo import per_dataset
from kcsp.schema import TABLES
from web.api import ACTION_CSV_COLUMNS, observation_rows, spreadsheet_safe
from web.auth import request_user

bp = Blueprint("download", __name__)

REFERENCE = ("areas", "population", "priorities", "themes", "indicators", "series_breaks", "meetings", "comparators",
             "matters_arising", "pack_texts")
DERIVED = {
    "observations": "Values per indicator, area (districts, and the totals computed from them) and period, as the "
                    "charts draw them: blank and withheld=true where a viewer who is not signed in may not see them",
    "judgements": "Every verdict for each indicator's latest window, as /api/judgements.csv gives it",
    "actions": "The action plan with each action's latest status, as /api/actions.csv gives it",
    "action_updates": "Every progress update of the actions in actions.csv",
}


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    spreadsheet_safe(frame).to_csv(buf, index=False, lineterminator="\n", float_format="%.10g")
    return buf.getvalue().encode("utf-8")


def _observations(ds, reveal: bool) -> pd.DataFrame:
    frames = []
    for iid in ds.indicators["indicator_id"]:
        areas = [ds.total_code(iid), *(ds.members(iid) if ds.indicator(iid)["geography"] == "district" else [])]
        for code in dict.fromkeys(areas):
            if ds.has_data(iid, code):
                frames.append(observation_rows(ds, iid, code, None, None, reveal=reveal))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _dictionary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for name in tables:
        if name in TABLES:
            table = TABLES[name]
            rows += [{"table": name, "column": c.name, "type": c.kind, "description": c.description,
                      "table_description": table.description} for c in table.columns]
        else:
            rows += [{"table": name, "column": col, "type": "", "description": "",
                      "table_description": DERIVED[name]} for col in tables[name].columns]
    return pd.DataFrame(rows)


@per_dataset(maxsize=2)
def bundle(ds, *, audience: str) -> bytes:
    """The ZIP's bytes for an audience (kcsp.access.audience: partners see restricted actions and exact small
    numbers), made once per store version and audience."""
    reveal = audience == access.PARTNERS
    status = ds.action_status(include_restricted=reveal)
    actions = status[ACTION_CSV_COLUMNS].copy()
    for col in ("start", "due"):
        actions[col] = actions[col].dt.strftime("%Y-%m-%d")
    updates = ds.updates[ds.updates["action_id"].isin(set(status["action_id"]))]
    verdicts = [judgements.table(ds, iid, None, None, reveal=reveal) for iid in ds.indicators["indicator_id"]
                if ds.has_data(iid)]
    tables = {
        "observations": _observations(ds, reveal),
        "judgements": pd.concat(verdicts, ignore_index=True) if verdicts else pd.DataFrame(),
        "actions": actions,
        "action_updates": updates,
        **{name: ds.tables[name] for name in REFERENCE if name in ds.tables},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", _csv(frame))
        archive.writestr("data_dictionary.csv", _csv(_dictionary(tables)))
    return out.getvalue()


@bp.get("/api/download.zip")
def download_zip() -> Response:
    audience = access.audience(request_user())
    body = bundle(runtime.dataset(), audience=audience)
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="community-safety-data.zip"',
        "Cache-Control": "no-cache" if audience == access.PUBLIC else "private, no-store",
    })
