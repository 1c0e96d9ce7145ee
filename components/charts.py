"""Figure builders: pure functions from tidy frames to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.palette import DARK_BLUE, DARK_GREY, JUDGEMENT_COLOURS, MID_GREY, ORANGE, TEXT, TURQUOISE

FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color=TEXT)
CONFIG = {"displaylogo": False, "responsive": True,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def _base_layout(fig: go.Figure, *, height: int) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=60, r=20, t=30, b=40), font=FONT, plot_bgcolor="white",
        paper_bgcolor="white", hovermode="x unified", showlegend=True,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    fig.update_xaxes(showline=True, linecolor=MID_GREY, ticks="outside")
    fig.update_yaxes(gridcolor="#E5E5E5", zeroline=True, zerolinecolor=MID_GREY, rangemode="tozero")
    return fig


def rolling_by_segment(series: pd.DataFrame, breaks: Sequence[pd.Timestamp]) -> pd.Series:
    """Rolling 12-month totals that restart at each series break (never summed across one)."""
    values = series.set_index("period")["value"].astype("float64").asfreq("MS")
    out = pd.Series(index=values.index, dtype="float64")
    edges = [values.index.min(), *sorted(b for b in breaks if values.index.min() < b <= values.index.max())]
    for i, start in enumerate(edges):
        stop = edges[i + 1] - pd.DateOffset(months=1) if i + 1 < len(edges) else values.index.max()
        segment = values.loc[start:stop]
        out.loc[start:stop] = segment.rolling(12, min_periods=12).sum()
    return out.reindex(series["period"])


def trend_figure(series: pd.DataFrame, *, unit: str, breaks: Sequence[tuple[pd.Timestamp, str]] = (),
                 height: int = 380) -> go.Figure:
    """Monthly values (top) and the rolling 12-month total (bottom), with series breaks drawn."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[0.55, 0.45],
                        subplot_titles=(f"{unit.capitalize()} per month", "Rolling 12-month total"))
    rolling = rolling_by_segment(series, [b for b, _ in breaks]) if not series.empty else pd.Series(dtype=float)
    fig.add_trace(go.Scatter(x=series["period"], y=series["value"], name="Per month", mode="lines",
                             line=dict(color=DARK_BLUE, width=2),
                             hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>per month</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=series["period"], y=rolling.to_numpy(), name="Rolling 12-month total",
                             mode="lines", line=dict(color=TURQUOISE, width=3),
                             hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>12 months to</extra>"), row=2, col=1)
    for when, label in breaks:
        if series.empty or not (series["period"].min() <= when <= series["period"].max()):
            continue
        for row in (1, 2):
            fig.add_vline(x=when, line=dict(color=ORANGE, dash="dash", width=2), row=row, col=1)
        fig.add_annotation(x=when, y=1.0, yref="paper", text=f"Series break: {label}", showarrow=False,
                           xanchor="left", yanchor="bottom", font=dict(color=DARK_GREY, size=12),
                           bgcolor="rgba(255,255,255,0.85)")
    fig.update_annotations(font_size=13)
    return _base_layout(fig, height=height)


def sparkline(series: pd.DataFrame, *, height: int = 60) -> go.Figure:
    fig = go.Figure(go.Scatter(x=series["period"], y=series["value"], mode="lines",
                               line=dict(color=DARK_BLUE, width=2), hoverinfo="skip"))
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=0, b=0), showlegend=False,
                      plot_bgcolor="white", paper_bgcolor="white")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, rangemode="tozero")
    return fig


def district_figure(breakdown: pd.DataFrame, *, total_label: str, selected_code: str | None = None,
                    height: int = 420) -> go.Figure:
    """Rate per 1,000 residents by district with 95% intervals, the total's rate, and judgements."""
    frame = breakdown.sort_values("rate", ascending=True)
    shown = frame["rate"].where(~frame["suppressed"])
    labels = [f"{j}{' (selected)' if c == selected_code else ''}"
              for j, c in zip(frame["judgement"], frame["area_code"], strict=True)]
    colours = [JUDGEMENT_COLOURS.get(j, "#BFC1C3") for j in frame["judgement"]]
    lines = [dict(color=TEXT, width=3) if c == selected_code else dict(color="white", width=0)
             for c in frame["area_code"]]
    fig = go.Figure(go.Bar(
        x=shown, y=frame["area_name"], orientation="h", name="Rate per 1,000",
        marker=dict(color=colours, line=dict(color=[ln["color"] for ln in lines],
                                             width=[ln["width"] for ln in lines])),
        error_x=dict(type="data", symmetric=False, array=(frame["upper"] - frame["rate"]).where(~frame["suppressed"]),
                     arrayminus=(frame["rate"] - frame["lower"]).where(~frame["suppressed"]), color=DARK_GREY),
        text=labels, textposition="outside", cliponaxis=False,
        customdata=frame[["count", "lower", "upper"]].to_numpy(),
        hovertemplate=("%{y}: %{x:.2f} per 1,000 (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}), "
                       "count %{customdata[0]:,.0f}<extra></extra>"),
    ))
    benchmark = frame["benchmark"].dropna()
    if not benchmark.empty:
        fig.add_vline(x=float(benchmark.iloc[0]), line=dict(color=ORANGE, width=3, dash="dash"),
                      annotation_text=f"{total_label}: {benchmark.iloc[0]:.2f}", annotation_position="top")
    fig = _base_layout(fig, height=height)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=160, r=120, t=40, b=40))
    fig.update_xaxes(title_text="Rate per 1,000 residents")
    return fig
