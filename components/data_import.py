"""Pieces of the data import page: problems, the cells an import would change (table and chart), history.

Every value from an uploaded file is rendered as text in table cells (never as Markdown or HTML).
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from components.charts import CONFIG, FONT, X_AXIS, Y_AXIS
from components.palette import DARK_BLUE, MID_GREY

CHART_CELLS = 40


def text_table(frame: pd.DataFrame, *, caption: str, table_id: str, max_rows: int = 500) -> html.Div:
    """A plain HTML table of text cells, with a caption, in a scrolling region a keyboard can reach."""
    shown = frame.head(max_rows)
    more = len(frame) - len(shown)
    return html.Div([
        html.Table([
            html.Caption(caption + (f" (first {max_rows} of {len(frame)})" if more > 0 else "")),
            html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns])),
            html.Tbody([html.Tr([html.Td("" if pd.isna(v) else str(v)) for v in row])
                        for row in shown.itertuples(index=False)]),
        ], className="table table-sm", id=table_id),
    ], className="table-scroll", style={"maxHeight": "360px"}, tabIndex=0, role="region",
        **{"aria-label": caption})


def problems_block(problems: pd.DataFrame, total: int) -> html.Div:
    """Why a file was refused: one row per problem, by row (or cell) and column."""
    return html.Div([
        html.P([html.Strong("The file was not imported. "),
                f"{total} problem{'s' if total != 1 else ''} found; nothing has been changed. Correct the file and "
                "upload it again."], className="alert alert-danger", role="alert", id="import-refused"),
        text_table(problems, caption="Problems in the file, by row and column", table_id="import-problems"),
    ])


def changes_frame(changes: pd.DataFrame) -> pd.DataFrame:
    """The cells of an import plan as the preview table shows them."""
    return pd.DataFrame({
        "Area": changes["area_name"], "Period": changes["label"],
        "Held now": [("" if pd.isna(o) else f"{int(o):,}") + (" (illustrative)" if ill else "")
                     for o, ill in zip(changes["old"], changes["was_illustrative"], strict=True)],
        "In the file": changes["new"].map("{:,}".format),
        "Change": changes["change"],
    })


def preview_figure(changes: pd.DataFrame) -> dict:
    """Held and new values of the cells that would change: bars side by side (held ones hatched)."""
    moved = changes[changes["change"] != "unchanged"].head(CHART_CELLS)
    labels = [f"{a}, {p}" for a, p in zip(moved["area_name"], moved["label"], strict=True)]
    held = [None if pd.isna(v) else float(v) for v in moved["old"]]
    return {
        "data": [
            {"type": "bar", "orientation": "h", "y": labels, "x": held, "name": "Held now",
             "marker": {"color": MID_GREY, "pattern": {"shape": "/"}},
             "hovertemplate": "%{y}: held now %{x:,.0f}<extra></extra>"},
            {"type": "bar", "orientation": "h", "y": labels, "x": [float(v) for v in moved["new"]],
             "name": "In the file", "marker": {"color": DARK_BLUE},
             "hovertemplate": "%{y}: in the file %{x:,.0f}<extra></extra>"},
        ],
        "layout": {"height": max(260, 26 * len(labels) + 120), "barmode": "group", "font": FONT,
                   "margin": {"l": 20, "r": 20, "t": 30, "b": 40}, "plot_bgcolor": "white",
                   "paper_bgcolor": "white", "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                   "xaxis": {**X_AXIS, "title": {"text": "Value"}}, "yaxis": {**Y_AXIS, "automargin": True,
                                                                           "autorange": "reversed"}},
    }


def preview_block(summary: list[str], changes: pd.DataFrame) -> html.Div:
    """What the import would do, before it is confirmed."""
    moved = changes[changes["change"] != "unchanged"]
    chart = (dcc.Graph(figure=preview_figure(changes), config=CONFIG, id="import-preview-chart")
             if not moved.empty else html.P("No value would change: the file holds what the store holds."))
    return html.Div([
        html.Div([html.Strong("Preview: nothing has been written yet. "), *[html.Span([line, html.Br()])
                                                                            for line in summary]],
                 className="alert alert-info", id="import-summary"),
        html.H3("Cells that would change", className="h6"),
        chart,
        text_table(changes_frame(changes), caption="Every cell in the file, with the value held now",
                   table_id="import-changes"),
    ])


def history_table(imports: pd.DataFrame, names: dict[str, str]) -> html.Div:
    if imports.empty:
        return html.P("No partner file has been imported yet.", id="import-history-empty")
    frame = imports.sort_values("import_id", ascending=False)
    table = pd.DataFrame({
        "Import": frame["import_id"], "Measure": frame["indicator_id"].map(lambda i: names.get(i, i)),
        "File": frame["file_name"], "SHA-256": frame["sha256"].str[:12] + "...",
        "Source": frame["source"].fillna(""), "By": frame["imported_by"],
        "When (UTC)": pd.to_datetime(frame["imported_at"], utc=True, format="ISO8601").dt.strftime("%d %b %Y %H:%M"),
        "Values": frame["rows"], "Periods": frame["periods"].str.replace(";", ", "),
    })
    return text_table(table, caption="Imports, newest first", table_id="import-history-table")
