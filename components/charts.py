"""Figure builders: pure functions from tidy frames to plotly figure dicts.

Figures are plain {"data": [...], "layout": {...}} dicts rather than graph_objects: dcc.Graph takes
them as they are, and building them costs microseconds instead of plotly's property validation
(about 0.15 s a figure), which matters on pages with a dozen charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from components.palette import (
    DARK_BLUE,
    DARK_GREY,
    DARK_PINK,
    JUDGEMENT_COLOURS,
    JUDGEMENT_SHAPES,
    MID_GREY,
    ORANGE,
    SEQUENTIAL,
    TEXT,
    TURQUOISE,
)

FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": TEXT}
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
X_AXIS = {"showline": True, "linecolor": MID_GREY, "ticks": "outside"}
Y_AXIS = {"gridcolor": "#E5E5E5", "zeroline": True, "zerolinecolor": MID_GREY, "rangemode": "tozero"}


def _months(values: pd.Series) -> list[str]:
    return [f"{p:%Y-%m-%d}" for p in values]


def _numbers(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def _layout(*, height: int, **extra) -> dict:
    layout = {
        "height": height, "margin": {"l": 60, "r": 20, "t": 30, "b": 40}, "font": FONT,
        "plot_bgcolor": "white", "paper_bgcolor": "white", "hovermode": "x unified", "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": dict(X_AXIS), "yaxis": dict(Y_AXIS),
    }
    layout.update(extra)
    return layout


def _vertical_line(x, *, xref: str, yref: str, colour: str, dash: str, width: int = 2) -> dict:
    return {"type": "line", "x0": x, "x1": x, "xref": xref, "y0": 0, "y1": 1, "yref": yref,
            "line": {"color": colour, "dash": dash, "width": width}}


PER = {"monthly": "month", "quarterly": "quarter", "yearly": "year", "financial-year": "financial year"}
HOVER_DATE = {"monthly": "%{x|%b %Y}", "quarterly": "%{x|%b %Y} quarter", "yearly": "%{x|%Y}",
              "financial-year": "year from %{x|%b %Y}"}


def _value_traces(trend: pd.DataFrame, months: list[str], per: str, hover: str) -> list[dict]:
    """The values per period: one line, or (when real figures replaced part of an illustrative series)
    a solid line for the real part and a dashed, marked one for the illustrative part."""
    shown = trend["value"].astype("float64").where(~trend["suppressed"])
    flags = trend["illustrative"].astype(bool) if "illustrative" in trend else pd.Series(False, index=trend.index)
    base = {"type": "scatter", "x": months, "xaxis": "x", "yaxis": "y", "connectgaps": False}
    if not (flags.any() and (~flags).any()):
        return [{**base, "y": _numbers(shown), "name": f"Per {per}", "mode": "lines",
                 "line": {"color": DARK_BLUE, "width": 2},
                 "hovertemplate": f"{hover}: %{{y:,.0f}}<extra>per {per}</extra>"}]
    return [
        {**base, "y": _numbers(shown.where(~flags)), "name": f"Per {per}: real figures", "mode": "lines+markers",
         "line": {"color": DARK_BLUE, "width": 3}, "marker": {"symbol": "circle", "size": 6},
         "meta": "real", "hovertemplate": f"{hover}: %{{y:,.0f}}<extra>real</extra>"},
        {**base, "y": _numbers(shown.where(flags)), "name": f"Per {per}: illustrative (generated)",
         "mode": "lines+markers", "line": {"color": MID_GREY, "width": 2, "dash": "dot"},
         "marker": {"symbol": "triangle-up-open", "size": 6}, "meta": "illustrative",
         "hovertemplate": f"{hover}: %{{y:,.0f}}<extra>illustrative</extra>"},
    ]


def trend_figure(trend: pd.DataFrame, *, unit: str, breaks: Sequence[tuple[pd.Timestamp, str]] = (),
                 height: int = 400, frequency: str = "monthly") -> dict:
    """Values per period (top) and the rolling 12-month total (bottom), with series breaks drawn.

    `trend` has period, value, rolling_12, suppressed and rolling_suppressed (Dataset.trend), and
    optionally illustrative (per period). Suppressed periods are drawn as gaps with a distinct
    marker, never as zero. Yearly series have no rolling panel (a year is its own 12-month total).
    """
    months = _months(trend["period"])
    per = PER.get(frequency, "month")
    hover = HOVER_DATE.get(frequency, HOVER_DATE["monthly"])
    rolling = frequency in ("monthly", "quarterly")
    data = _value_traces(trend, months, per, hover)
    if rolling:
        rolled = trend["rolling_12"].where(~trend["rolling_suppressed"])
        data.append({"type": "scatter", "x": months, "y": _numbers(rolled),
                     "name": "Rolling 12-month total", "mode": "lines", "line": {"color": TURQUOISE, "width": 3},
                     "xaxis": "x2", "yaxis": "y2",
                     "hovertemplate": "12 months to %{x|%b %Y}: %{y:,.0f}<extra></extra>"})
    hidden = trend[trend["suppressed"]]
    if not hidden.empty:
        data.append({
            "type": "scatter", "x": _months(hidden["period"]), "y": [0] * len(hidden), "name": "Suppressed (1 to 4)",
            "mode": "markers", "xaxis": "x", "yaxis": "y",
            "marker": {"symbol": "x-thin-open", "size": 10, "color": DARK_PINK,
                       "line": {"width": 2, "color": DARK_PINK}},
            "hovertemplate": f"{hover}: suppressed (between 1 and 4)<extra></extra>"})
    annotations = [
        {"text": f"{unit.capitalize()} per {per}", "x": 0.5, "y": 1.0, "xref": "paper", "yref": "paper",
         "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}},
    ]
    if rolling:
        annotations.append({"text": "Rolling 12-month total", "x": 0.5, "y": 0.4, "xref": "paper", "yref": "paper",
                            "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    panels = (("x", "y"), ("x2", "y2")) if rolling else (("x", "y"),)
    shapes = []
    for when, label in breaks:
        if trend.empty or not (trend["period"].min() <= when <= trend["period"].max()):
            continue
        shapes += [_vertical_line(f"{when:%Y-%m-%d}", xref=xref, yref=f"{yref} domain", colour=ORANGE, dash="dash")
                   for xref, yref in panels]
        annotations.append({"text": f"Series break: {label}", "x": f"{when:%Y-%m-%d}", "xref": "x", "y": 0.98,
                            "yref": "paper", "xanchor": "left", "yanchor": "top", "showarrow": False,
                            "font": {"color": DARK_GREY, "size": 12}, "bgcolor": "rgba(255,255,255,0.9)"})
    axes = ({"xaxis": {**X_AXIS, "anchor": "y", "matches": "x2", "showticklabels": False},
             "yaxis": {**Y_AXIS, "domain": [0.55, 1.0]},
             "xaxis2": {**X_AXIS, "anchor": "y2"},
             "yaxis2": {**Y_AXIS, "domain": [0.0, 0.4]}} if rolling else
            {"xaxis": {**X_AXIS, "anchor": "y"}, "yaxis": {**Y_AXIS, "domain": [0.0, 0.92]}})
    return {"data": data, "layout": _layout(
        height=height, margin={"l": 60, "r": 20, "t": 30, "b": 60}, annotations=annotations, shapes=shapes,
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0}, **axes,
    )}


def sparkline(series: pd.DataFrame, *, height: int = 60) -> dict:
    return {
        "data": [{"type": "scatter", "x": _months(series["period"]), "y": _numbers(series["value"]),
                  "mode": "lines", "line": {"color": DARK_BLUE, "width": 2}, "hoverinfo": "skip"}],
        "layout": {"height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False,
                   "plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": {"visible": False},
                   "yaxis": {"visible": False, "rangemode": "tozero"}},
    }


def district_figure(breakdown: pd.DataFrame, *, total_label: str, selected_code: str | None = None,
                    height: int = 420, order: str = "rate") -> dict:
    """Rate per 1,000 residents by district with 95% intervals, the total's rate, and judgements.

    Bars run from the highest rate at the top, or with order="deprivation" from the most deprived
    district (IMD 2019 rank, breakdown column imd_rank) at the top."""
    by_deprivation = order == "deprivation" and "imd_rank" in breakdown
    frame = (breakdown.sort_values("imd_rank", ascending=False) if by_deprivation
             else breakdown.sort_values("rate", ascending=True))
    shown = frame["rate"].where(~frame["suppressed"])
    selected = [c == selected_code for c in frame["area_code"]]
    names = ([f"{n}, IMD rank {r}" for n, r in zip(frame["area_name"], frame["imd_rank"], strict=True)]
             if by_deprivation else list(frame["area_name"]))
    labels = [f"<b>{n} ({j}, selected)</b>" if s else f"{n} ({j})"
              for n, j, s in zip(names, frame["judgement"], selected, strict=True)]
    bar = {
        "type": "bar", "orientation": "h", "x": _numbers(shown), "y": labels, "name": "Rate per 1,000",
        "marker": {"color": [JUDGEMENT_COLOURS.get(j, MID_GREY) for j in frame["judgement"]],
                   "line": {"color": [TEXT if s else "white" for s in selected],
                            "width": [3 if s else 0 for s in selected]}},
        "error_x": {"type": "data", "symmetric": False, "color": DARK_GREY,
                    "array": _numbers((frame["upper"] - frame["rate"]).where(~frame["suppressed"])),
                    "arrayminus": _numbers((frame["rate"] - frame["lower"]).where(~frame["suppressed"]))},
        "customdata": [[c, lo, hi] for c, lo, hi in zip(frame["count"], frame["lower"], frame["upper"], strict=True)],
        "hovertemplate": ("%{y}: %{x:.2f} per 1,000 (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}), "
                          "count %{customdata[0]:,.0f}<extra></extra>"),
    }
    shapes, annotations = [], []
    benchmark = frame["benchmark"].dropna()
    if not benchmark.empty:
        value = float(benchmark.iloc[0])
        shapes.append(_vertical_line(value, xref="x", yref="paper", colour=ORANGE, dash="dash", width=3))
        annotations.append({"text": f"{total_label}: {value:.2f}", "x": value, "xref": "x", "y": 1.0,
                            "yref": "paper", "yanchor": "bottom", "showarrow": False})
    return {"data": [bar], "layout": _layout(
        height=height, showlegend=False, hovermode="closest", margin={"l": 20, "r": 30, "t": 40, "b": 40},
        shapes=shapes, annotations=annotations, yaxis={"automargin": True},
        xaxis={**X_AXIS, "title": {"text": "Rate per 1,000 residents"}},
    )}


def funnel_figure(breakdown: pd.DataFrame, limits: pd.DataFrame, *, total_label: str,
                  selected_code: str | None = None, height: int = 420) -> dict:
    """Rate against population, with the total's rate and 95% / 99.8% control limits."""
    data = []
    for level, dash_style in (("95", "dash"), ("99.8", "dot")):
        for side in ("lower", "upper"):
            data.append({"type": "scatter", "x": _numbers(limits["population"]),
                         "y": _numbers(limits[f"{side}_{level}"]), "mode": "lines",
                         "line": {"color": MID_GREY, "dash": dash_style, "width": 1.5}, "name": f"{level}% limits",
                         "legendgroup": level, "showlegend": side == "lower", "hoverinfo": "skip"})
    frame = breakdown[~breakdown["suppressed"]]
    for verdict, group in frame.groupby("judgement"):
        data.append({
            "type": "scatter", "x": _numbers(group["population"]), "y": _numbers(group["rate"]),
            "mode": "markers+text", "name": verdict, "text": list(group["area_name"]),
            "textposition": "top center", "textfont": {"size": 11},
            "marker": {"size": [16 if c == selected_code else 11 for c in group["area_code"]],
                       "symbol": JUDGEMENT_SHAPES.get(verdict, "circle"),
                       "color": JUDGEMENT_COLOURS.get(verdict, MID_GREY), "line": {"color": TEXT, "width": 1}},
            "hovertemplate": "%{text}: %{y:.2f} per 1,000, population %{x:,.0f}<extra>" + verdict + "</extra>"})
    benchmark = float(breakdown["benchmark"].iloc[0])
    line = {"type": "line", "x0": 0, "x1": 1, "xref": "paper", "y0": benchmark, "y1": benchmark, "yref": "y",
            "line": {"color": ORANGE, "width": 3}}
    label = {"text": total_label, "x": 0, "xref": "paper", "xanchor": "left", "y": benchmark, "yref": "y",
             "yanchor": "bottom", "showarrow": False}
    return {"data": data, "layout": _layout(
        height=height, hovermode="closest", shapes=[line], annotations=[label],
        xaxis={**X_AXIS, "title": {"text": "Residents"}, "rangemode": "tozero"},
        yaxis={**Y_AXIS, "title": {"text": "Rate per 1,000 residents"}, "rangemode": "normal"},
    )}


def district_map(breakdown: pd.DataFrame, boundaries: dict, *, height: int = 440) -> dict:
    """Choropleth of rates from the shipped boundaries (plotly geo, no tile server)."""
    frame = breakdown[~breakdown["suppressed"]]
    return {
        "data": [{
            "type": "choropleth", "geojson": boundaries, "locations": list(frame["area_code"]),
            "featureidkey": "properties.code", "z": _numbers(frame["rate"]), "colorscale": SEQUENTIAL,
            "marker": {"line": {"color": "white", "width": 1.5}},
            "colorbar": {"title": {"text": "per 1,000"}, "thickness": 14},
            "text": [f"{n}: {j}" for n, j in zip(frame["area_name"], frame["judgement"], strict=True)],
            "hovertemplate": "%{text}<br>%{z:.2f} per 1,000<extra></extra>",
        }],
        "layout": {"height": height, "margin": {"l": 0, "r": 0, "t": 10, "b": 0}, "font": FONT,
                   "paper_bgcolor": "white", "geo": {"fitbounds": "locations", "visible": False}},
    }
