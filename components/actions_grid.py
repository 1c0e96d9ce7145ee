"""The action plan as a dash-ag-grid: sortable columns, one row per action, BRAG status as shape +
word (as text) + colour (a cell class), overdue actions flagged in words.

Rows are plain values: AG Grid's default renderer puts them in the page as text, so nothing a user
typed can become markup.
"""

from __future__ import annotations

from collections.abc import Mapping

import dash_ag_grid as dag
import pandas as pd

from components.brag import status_text
from components.palette import BRAG
from kcsp import access
from kcsp.vocabulary import STATUS_POSITION


def grid_rows(actions: pd.DataFrame, *, priority_names: Mapping[str, str], theme_names: Mapping[str, str],
              area_names: Mapping[str, str]) -> list[dict]:
    """One JSON-ready row per action of an action_status frame."""
    rows = []
    for a in actions.itertuples(index=False):
        themes = [theme_names.get(t, t) for t in str(a.themes or "").split(";") if t]
        areas = [area_names.get(s, s) for s in str(a.areas).split(";") if s]
        due = f"{a.due:%d %b %Y}"
        rows.append({
            "action_id": a.action_id,
            "title": a.title + (" (restricted)" if access.is_restricted(a.classification) else "")
            + (f" ({a.state})" if getattr(a, "state", "open") != "open" else ""),
            "priority": priority_names.get(a.priority_id, a.priority_id),
            "lead_agency": a.lead_agency,
            "themes": ", ".join(themes),
            "areas": ", ".join(areas),
            "due": f"{a.due:%Y-%m-%d}",
            "due_label": f"\u26a0 {due} overdue" if a.overdue else due,
            "overdue": bool(a.overdue),
            "status": a.status,
            "status_sort": STATUS_POSITION[a.status],
            "status_label": status_text(a.status),
            "updated": "" if pd.isna(a.updated_at) else str(a.updated_at)[:10],
            "progress": _progress(a),
            "version": int(a.version),
        })
    return rows


def _progress(action) -> str:
    """The latest progress with its date, or that there has been no update."""
    text = action.progress if isinstance(getattr(action, "progress", None), str) else ""
    if pd.isna(action.updated_at) or not text:
        return "No update yet"
    return f"{pd.Timestamp(action.updated_at):%d %b %Y}: {text}"


def _status_classes() -> dict[str, str]:
    return {f"brag-{s}": f"params.data.status === '{s}'" for s in BRAG}


WRAP = {"wrapText": True, "autoHeight": True, "cellClass": "wrap-cell"}
"""Long text wraps onto as many lines as it needs: nothing in the plan is cut, on screen or in print."""

COLUMN_DEFS = [
    {"field": "action_id", "headerName": "Ref", "width": 82, "sort": "asc"},
    {"field": "title", "headerName": "Action", "flex": 3, "minWidth": 200, **WRAP},
    {"field": "priority", "headerName": "Priority", "flex": 1.2, "minWidth": 140, **WRAP},
    {"field": "status_sort", "headerName": "Status", "width": 130, "cellClass": "brag-cell",
     "cellClassRules": _status_classes(), "valueFormatter": {"function": "params.data.status_label"}},
    {"field": "due", "headerName": "Due", "width": 128, "cellClassRules": {"overdue-cell": "params.data.overdue"},
     "valueFormatter": {"function": "params.data.due_label"}, **WRAP},
    {"field": "lead_agency", "headerName": "Lead agency", "flex": 1, "minWidth": 110, **WRAP},
    {"field": "progress", "headerName": "Latest progress", "flex": 3, "minWidth": 200, **WRAP},
    {"field": "themes", "headerName": "Themes", "flex": 1.1, "minWidth": 110, **WRAP},
    {"field": "areas", "headerName": "Areas", "flex": 0.9, "minWidth": 110, **WRAP},
]


def actions_grid(grid_id: str, rows: list[dict]) -> dag.AgGrid:
    """The grid, as tall as its rows (the page scrolls, not a box within it); clicking a row (or Space
    on it) selects it, which opens its history.

    The grid is one Tab stop, as the ARIA grid pattern asks: arrow keys move between its cells and
    Tab leaves it, so a keyboard user is not walked through every cell to reach the form below.
    """
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "suppressHeaderMenuButton": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        getRowId="params.data.action_id",
        dashGridOptions={
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
            "animateRows": False,
            "domLayout": "autoHeight",
            "enableCellTextSelection": True,
            "ensureDomOrder": True,
            "suppressRowVirtualisation": True,
            "suppressColumnVirtualisation": True,
            "tabToNextHeader": {"function": "false"},
            "tabToNextCell": {"function": "false"},
        },
        style={"width": "100%"},
        className="actions-grid",
    )
