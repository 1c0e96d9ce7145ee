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
    MID_GREY,
    ORANGE,
    PLOTLY_SYMBOLS,
    SEQUENTIAL,
    TEXT,
    TURQUOISE,
)
from kcsp.periods import FREQUENCIES, Frequency
from kcsp.vocabulary import CHANGE, COMPARISON

MONTHLY = FREQUENCIES["monthly"]
SIGNAL_SYMBOLS = {"improving": "circle", "worsening": "diamond", "rising": "triangle-up", "falling": "triangle-down"}
"""Markers of a control chart's special-cause months, one shape per verdict."""
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


def _value_traces(trend: pd.DataFrame, months: list[str], labels: list[str], per: str) -> list[dict]:
    """The values per period: one line, or (when real figures replaced part of an illustrative series)
    a solid line with dots for the real part and a dotted one with open triangles for the illustrative part."""
    base = {"type": "scatter", "x": months, "customdata": labels, "connectgaps": False, "xaxis": "x", "yaxis": "y"}
    flags = (trend["illustrative"].astype(bool) if "illustrative" in trend
             else pd.Series(False, index=trend.index))
    gapped = "withheld" in trend and bool((trend["withheld"] & trend["value"].isna()).any())
    if not (flags.any() and (~flags).any()):
        # a month between withheld ones has no line to it: markers keep it in sight
        return [{**base, "y": _numbers(trend["value"]), "name": per.capitalize(),
                 "mode": "lines+markers" if len(trend) < 30 or gapped else "lines",
                 "marker": {"size": 5 if gapped else 6}, "line": {"color": DARK_BLUE, "width": 2},
                 "hovertemplate": "%{customdata}: %{y:,.0f}<extra>" + per + "</extra>"}]
    return [
        {**base, "y": _numbers(trend["value"].where(~flags)), "name": f"{per.capitalize()}: real figures",
         "mode": "lines+markers", "line": {"color": DARK_BLUE, "width": 3}, "marker": {"symbol": "circle", "size": 6},
         "meta": "real", "hovertemplate": "%{customdata}: %{y:,.0f}<extra>real</extra>"},
        {**base, "y": _numbers(trend["value"].where(flags)), "name": f"{per.capitalize()}: illustrative (generated)",
         "mode": "lines+markers", "line": {"color": MID_GREY, "width": 2, "dash": "dot"},
         "marker": {"symbol": "triangle-up-open", "size": 6}, "meta": "illustrative",
         "hovertemplate": "%{customdata}: %{y:,.0f}<extra>illustrative</extra>"},
    ]


def trend_figure(trend: pd.DataFrame, *, unit: str, breaks: Sequence[tuple[pd.Timestamp, str]] = (),
                 height: int = 400, frequency: Frequency = MONTHLY) -> dict:
    """Values per period (top) and the rolling year's total (bottom), with series breaks drawn; for a
    yearly measure, one panel. Gaps are gaps: a period with no figure (a total not every area
    reported, or a figure withheld from the public) is never drawn as zero.

    `trend` is Dataset.trend: period, value, rolling, missing, withheld and rolling_withheld, and
    rounded. Rounded figures (a small-number measure as the public sees it, kcsp.disclosure) say so in
    the panels' titles; a figure withheld from the public is a gap marked on the axis with why, in
    words; values withheld and still present (a signed-in viewer) are marked as not for publication.
    """
    months = _months(trend["period"])
    labels = [frequency.label(p) for p in trend["period"]]
    rounded = " (rounded to the nearest 5)" if "rounded" in trend and bool(trend["rounded"].any()) else ""
    per = f"per {frequency.noun}"
    rolling_name = (f"Rolling {frequency.per_year}-{frequency.noun} total" if frequency.per_year > 1
                    else f"{frequency.noun.capitalize()}ly total")
    data = _value_traces(trend, months, labels, per + (rounded if frequency.per_year == 1 else ""))
    if frequency.per_year > 1:
        data.append(
            {"type": "scatter", "x": months, "y": _numbers(trend["rolling"]), "customdata": labels,
             "name": rolling_name, "mode": "lines", "line": {"color": TURQUOISE, "width": 3}, "connectgaps": False,
             "xaxis": "x2", "yaxis": "y2",
             "hovertemplate": f"{frequency.count_words(frequency.per_year)} to " + "%{customdata}: %{y:,.0f}"
                              "<extra></extra>"})
    marked = trend[trend["withheld"] & trend["value"].notna()]
    if not marked.empty:
        data.append({
            "type": "scatter", "x": _months(marked["period"]), "y": _numbers(marked["value"]),
            "name": "Not for publication: withheld from the public (1 to 4)", "mode": "markers", "xaxis": "x",
            "yaxis": "y", "marker": {"symbol": "square-open", "size": 9, "color": DARK_PINK, "line": {"width": 2}},
            "hoverinfo": "skip"})
    hidden = trend[trend["withheld"] & trend["value"].isna() & ~trend["missing"]]
    if not hidden.empty:
        data.append({
            "type": "scatter", "x": _months(hidden["period"]), "y": [0] * len(hidden),
            "customdata": [frequency.label(p) for p in hidden["period"]],
            "name": "Withheld: 1 to 4, too small to publish", "mode": "markers", "xaxis": "x", "yaxis": "y",
            "marker": {"symbol": "x-thin-open", "size": 10, "color": DARK_PINK, "line": {"width": 2}},
            "hovertemplate": "%{customdata}: withheld (1 to 4, too small to publish)<extra></extra>"})
    if frequency.per_year == 1:
        return {"data": data, "layout": _layout(
            height=height, margin={"l": 60, "r": 20, "t": 30, "b": 60}, shapes=_break_lines(trend, breaks, 1),
            annotations=_break_notes(trend, breaks), legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
            xaxis={**X_AXIS, "tickformat": "%Y"}, yaxis=dict(Y_AXIS))}
    annotations = [
        {"text": f"{unit.capitalize()} {per}{rounded}", "x": 0.5, "y": 1.0, "xref": "paper", "yref": "paper",
         "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}},
        {"text": rolling_name + rounded, "x": 0.5, "y": 0.4, "xref": "paper", "yref": "paper",
         "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}},
    ]
    return {"data": data, "layout": _layout(
        height=height, margin={"l": 60, "r": 20, "t": 30, "b": 60},
        annotations=annotations + _break_notes(trend, breaks), shapes=_break_lines(trend, breaks, 2),
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
        xaxis={**X_AXIS, "anchor": "y", "matches": "x2", "showticklabels": False},
        yaxis={**Y_AXIS, "domain": [0.55, 1.0]},
        xaxis2={**X_AXIS, "anchor": "y2"},
        yaxis2={**Y_AXIS, "domain": [0.0, 0.4]},
    )}


def _shown_breaks(trend: pd.DataFrame, breaks: Sequence[tuple[pd.Timestamp, str]]) -> list[tuple[pd.Timestamp, str]]:
    if trend.empty:
        return []
    return [(when, label) for when, label in breaks if trend["period"].min() <= when <= trend["period"].max()]


def _break_lines(trend: pd.DataFrame, breaks, panels: int) -> list[dict]:
    axes = (("x", "y"), ("x2", "y2"))[:panels]
    return [_vertical_line(f"{when:%Y-%m-%d}", xref=xref, yref=f"{yref} domain", colour=ORANGE, dash="dash")
            for when, _ in _shown_breaks(trend, breaks) for xref, yref in axes]


def _break_notes(trend: pd.DataFrame, breaks) -> list[dict]:
    return [{"text": f"Series break: {label}", "x": f"{when:%Y-%m-%d}", "xref": "x", "y": 0.98,
             "yref": "paper", "xanchor": "left", "yanchor": "top", "showarrow": False,
             "font": {"color": DARK_GREY, "size": 12}, "bgcolor": "rgba(255,255,255,0.9)"}
            for when, label in _shown_breaks(trend, breaks)]


def sparkline(series: pd.DataFrame, *, height: int = 60) -> dict:
    return {
        "data": [{"type": "scatter", "x": _months(series["period"]), "y": _numbers(series["value"]),
                  "mode": "lines", "line": {"color": DARK_BLUE, "width": 2}, "hoverinfo": "skip"}],
        "layout": {"height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False,
                   "plot_bgcolor": "white", "paper_bgcolor": "white", "xaxis": {"visible": False},
                   "yaxis": {"visible": False, "rangemode": "tozero"}},
    }


def _word(verdict) -> str:
    return COMPARISON[verdict].word if isinstance(verdict, str) else "Withheld"


def district_figure(breakdown: pd.DataFrame, *, total_label: str, selected_code: str | None = None,
                    height: int = 420, order: str = "rate") -> dict:
    """Rate per 1,000 residents by district with 95% intervals, the total's rate, and each verdict
    as word (in the label) and colour. `breakdown` is judgements.comparison_frame: withheld rows
    have no rate and are listed without a bar. Bars run from the highest rate at the top, or with
    order="deprivation" from the most deprived district (column imd_rank, IMD 2019) at the top."""
    by_deprivation = order == "deprivation" and "imd_rank" in breakdown
    frame = (breakdown.sort_values("imd_rank", ascending=False) if by_deprivation
             else breakdown.sort_values("rate", ascending=True, na_position="first"))
    selected = [c == selected_code for c in frame["area_code"]]
    names = ([f"{n}, IMD rank {r}" for n, r in zip(frame["area_name"], frame["imd_rank"], strict=True)]
             if by_deprivation else list(frame["area_name"]))
    labels = [f"<b>{n} ({_word(j)}, selected)</b>" if s else f"{n} ({_word(j)})"
              for n, j, s in zip(names, frame["verdict"], selected, strict=True)]
    bar = {
        "type": "bar", "orientation": "h", "x": _numbers(frame["rate"]), "y": labels, "name": "Rate per 1,000",
        "marker": {"color": [COMPARISON[j].colour if isinstance(j, str) else MID_GREY for j in frame["verdict"]],
                   "line": {"color": [TEXT if s else "white" for s in selected],
                            "width": [3 if s else 0 for s in selected]}},
        "error_x": {"type": "data", "symmetric": False, "color": DARK_GREY,
                    "array": _numbers(frame["upper"] - frame["rate"]),
                    "arrayminus": _numbers(frame["rate"] - frame["lower"])},
        "customdata": [[_numbers(pd.Series([c]))[0], lo, hi] for c, lo, hi in
                       zip(frame["count"], _numbers(frame["lower"]), _numbers(frame["upper"]), strict=True)],
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
    """Rate against population, with the total's rate and the 95% / 99.8% limits (kcsp.stats): a
    district outside the 95% funnel is exactly one judged Better or Worse (Higher or Lower)."""
    data = []
    for level, dash_style in (("95", "dash"), ("99.8", "dot")):
        for side in ("lower", "upper"):
            data.append({"type": "scatter", "x": _numbers(limits["population"]),
                         "y": _numbers(limits[f"{side}_{level}"]), "mode": "lines",
                         "line": {"color": MID_GREY, "dash": dash_style, "width": 1.5}, "name": f"{level}% limits",
                         "legendgroup": level, "showlegend": side == "lower", "hoverinfo": "skip"})
    frame = breakdown[breakdown["rate"].notna()]
    for verdict, group in frame.groupby("verdict"):
        t = COMPARISON[verdict]
        data.append({
            "type": "scatter", "x": _numbers(group["population"]), "y": _numbers(group["rate"]),
            "mode": "markers+text", "name": t.word, "text": list(group["area_name"]),
            "textposition": "top center", "textfont": {"size": 11},
            "marker": {"size": [16 if c == selected_code else 11 for c in group["area_code"]],
                       "symbol": PLOTLY_SYMBOLS[t.shape], "color": t.colour, "line": {"color": TEXT, "width": 1}},
            "hovertemplate": "%{text}: %{y:.2f} per 1,000, population %{x:,.0f}<extra>" + t.word + "</extra>"})
    benchmark = float(breakdown["benchmark"].dropna().iloc[0])
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
    frame = breakdown[breakdown["rate"].notna()]
    return {
        "data": [{
            "type": "choropleth", "geojson": boundaries, "locations": list(frame["area_code"]),
            "featureidkey": "properties.code", "z": _numbers(frame["rate"]), "colorscale": SEQUENTIAL,
            "marker": {"line": {"color": "white", "width": 1.5}},
            "colorbar": {"title": {"text": "per 1,000"}, "thickness": 14},
            "text": [f"{n}: {_word(j)}" for n, j in zip(frame["area_name"], frame["verdict"], strict=True)],
            "hovertemplate": "%{text}<br>%{z:.2f} per 1,000<extra></extra>",
        }],
        "layout": {"height": height, "margin": {"l": 0, "r": 0, "t": 10, "b": 0}, "font": FONT,
                   "paper_bgcolor": "white", "geo": {"fitbounds": "locations", "visible": False}},
    }


def control_chart_figure(frame: pd.DataFrame, *, unit: str, real: bool, withheld: bool = False,
                         height: int = 400) -> dict:
    """An XmR control chart (kcsp.judgements.control_frame): the months, the mean and process limits
    from the shaded baseline, and each month a rule marks drawn with its verdict's shape and colour
    (and named in the legend), so a signal is never told by colour alone."""
    months, labels = _months(frame["period"]), [f"{p:%b %Y}" for p in frame["period"]]
    kind = "real figures" if real else "illustrative, generated"
    adjusted = bool(frame["adjusted"].any()) if "adjusted" in frame else False
    per = f"{unit.capitalize()} per month{', seasonally adjusted' if adjusted else ''}"
    data = [{"type": "scatter", "x": months, "y": _numbers(frame["value"]), "customdata": labels,
             "name": f"{per} ({kind})", "mode": "lines+markers",
             "line": {"color": MID_GREY if not real else DARK_GREY, "width": 2, **({} if real else {"dash": "dot"})},
             "marker": {"size": 5, "color": DARK_GREY}, "hovertemplate": "%{customdata}: %{y:,.0f}<extra></extra>"}]
    for column, name, dash in (("mean", "Mean", "solid"), ("upper", "Process limits", "dash"),
                               ("lower", "Process limits", "dash")):
        data.append({"type": "scatter", "x": months, "y": _numbers(frame[column]), "name": name, "mode": "lines",
                     "line": {"color": DARK_BLUE, "width": 1.5, "dash": dash}, "hoverinfo": "skip",
                     "legendgroup": name, "showlegend": column != "lower"})
    for code, t in CHANGE.items():
        marked = frame[frame["verdict"] == code]
        if marked.empty:
            continue
        data.append({"type": "scatter", "x": _months(marked["period"]), "y": _numbers(marked["value"]),
                     "name": f"Special cause: {t.word.lower()}", "mode": "markers",
                     "marker": {"symbol": SIGNAL_SYMBOLS.get(code, "circle"), "size": 12, "color": t.colour,
                                "line": {"width": 1, "color": "white"}},
                     "customdata": [f"{p:%b %Y}: {r.replace('-', ' ')}" for p, r in
                                    zip(marked["period"], marked["rule"], strict=True)],
                     "hovertemplate": "%{customdata}<extra>special cause</extra>"})
    shapes = []
    base = frame[frame["baseline"]]
    if not base.empty:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": months[0], "x1": _months(base["period"])[-1],
                       "y0": 0, "y1": 1, "fillcolor": "#F3F2F1", "line": {"width": 0}, "layer": "below"})
    annotations = ([{"text": f"Baseline: {len(base)} months", "x": months[0], "y": 1.0, "xref": "x", "yref": "paper",
                     "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 12}}]
                   if not base.empty else [])
    if withheld:
        annotations.append({"text": "Exact months, not for publication: the public sees them rounded",
                            "x": 1, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "right",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 12, "color": DARK_PINK}})
    return {"data": data, "layout": _layout(
        height=height, margin={"l": 60, "r": 20, "t": 30, "b": 60}, shapes=shapes, annotations=annotations,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        yaxis={**Y_AXIS, "rangemode": "normal", "zeroline": False, "title": {"text": per}})}


COMPARATOR_STYLES = (("dash", "diamond-open", ORANGE), ("dot", "square-open", TURQUOISE), ("dashdot", "x", DARK_PINK))
"""Line dash, marker and colour of each comparator's trace (the area's own is solid with filled dots)."""


def comparator_figure(frame: pd.DataFrame, *, title_unit: str, height: int = 360) -> dict:
    """The area's rate and each national comparator's rate by period (kcsp.comparators.comparison): the
    area a solid line with filled dots, each comparator dashed or dotted with open markers, so that the
    lines are told apart without colour; every trace named in the legend, numbers in the hover."""
    first = frame.drop_duplicates("period")
    area_name = str(first["area_name"].iloc[0]) if not first.empty else "Area"
    data = [{
        "type": "scatter", "x": _months(first["period"]), "y": _numbers(first["area_rate"]), "name": area_name,
        "mode": "lines+markers", "line": {"color": DARK_BLUE, "width": 3},
        "marker": {"symbol": "circle", "size": 8, "color": DARK_BLUE},
        "customdata": [[label, count] for label, count in
                       zip(first["period_label"], _numbers(first["area_count"]), strict=True)],
        "hovertemplate": "%{customdata[0]}: %{y:.1f} " + title_unit + ", count %{customdata[1]:,.0f}<extra>"
                         + area_name + "</extra>"}]
    for i, (name, rows) in enumerate(frame.groupby("comparator_name", sort=False)):
        dash, symbol, colour = COMPARATOR_STYLES[i % len(COMPARATOR_STYLES)]
        data.append({
            "type": "scatter", "x": _months(rows["period"]), "y": _numbers(rows["comparator_rate"]), "name": str(name),
            "mode": "lines+markers", "line": {"color": colour, "width": 3, "dash": dash},
            "marker": {"symbol": symbol, "size": 9, "color": colour, "line": {"width": 2}},
            "customdata": list(rows["period_label"]),
            "hovertemplate": "%{customdata}: %{y:.1f} " + title_unit + "<extra>" + str(name) + "</extra>"})
    return {"data": data, "layout": _layout(
        height=height, margin={"l": 60, "r": 20, "t": 30, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        xaxis={**X_AXIS, "tickformat": "%Y" if (frame["period"].dt.month == 1).all() else "%b %Y"},
        yaxis={**Y_AXIS, "title": {"text": title_unit[:1].upper() + title_unit[1:]}})}
