"""Figure builders: pure functions from tidy frames to plotly figures."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def trend_figure(trend: pd.DataFrame, *, unit: str, breaks: Sequence[tuple[pd.Timestamp, str]] = (),
                 height: int = 400) -> go.Figure:
    """Monthly values (top) and the rolling 12-month total (bottom), with series breaks drawn.

    `trend` has period, value, rolling_12, suppressed and rolling_suppressed (Dataset.trend).
    Suppressed months are drawn as gaps with a distinct marker, never as zero.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.14, row_heights=[0.55, 0.45],
                        subplot_titles=(f"{unit.capitalize()} per month", "Rolling 12-month total"))
    shown = trend["value"].astype("float64").where(~trend["suppressed"])
    fig.add_trace(go.Scatter(x=trend["period"], y=shown, name="Per month", mode="lines",
                             line=dict(color=DARK_BLUE, width=2), connectgaps=False,
                             hovertemplate="%{x|%b %Y}: %{y:,.0f}<extra>per month</extra>"), row=1, col=1)
    rolling = trend["rolling_12"].where(~trend["rolling_suppressed"])
    fig.add_trace(go.Scatter(x=trend["period"], y=rolling, name="Rolling 12-month total",
                             mode="lines", line=dict(color=TURQUOISE, width=3),
                             hovertemplate="12 months to %{x|%b %Y}: %{y:,.0f}<extra></extra>"), row=2, col=1)
    hidden = trend[trend["suppressed"]]
    if not hidden.empty:
        fig.add_trace(go.Scatter(
            x=hidden["period"], y=[0] * len(hidden), name="Suppressed (1 to 4)", mode="markers",
            marker=dict(symbol="x-thin-open", size=10, color=DARK_PINK, line=dict(width=2, color=DARK_PINK)),
            hovertemplate="%{x|%b %Y}: suppressed (between 1 and 4)<extra></extra>"), row=1, col=1)
    for when, label in breaks:
        if trend.empty or not (trend["period"].min() <= when <= trend["period"].max()):
            continue
        for row in (1, 2):
            fig.add_vline(x=when, line=dict(color=ORANGE, dash="dash", width=2), row=row, col=1)
        fig.add_annotation(x=when, y=0.98, yref="paper", text=f"Series break: {label}", showarrow=False,
                           xanchor="left", yanchor="top", font=dict(color=DARK_GREY, size=12),
                           bgcolor="rgba(255,255,255,0.9)")
    fig.update_annotations(font_size=13)
    fig = _base_layout(fig, height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.08, x=0), margin=dict(t=30, b=60))
    return fig


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
    labels = [f"<b>{n} ({j}, selected)</b>" if c == selected_code else f"{n} ({j})"
              for n, j, c in zip(frame["area_name"], frame["judgement"], frame["area_code"], strict=True)]
    colours = [JUDGEMENT_COLOURS.get(j, MID_GREY) for j in frame["judgement"]]
    fig = go.Figure(go.Bar(
        x=shown, y=labels, orientation="h", name="Rate per 1,000",
        marker=dict(color=colours, line=dict(
            color=[TEXT if c == selected_code else "white" for c in frame["area_code"]],
            width=[3 if c == selected_code else 0 for c in frame["area_code"]])),
        error_x=dict(type="data", symmetric=False, array=(frame["upper"] - frame["rate"]).where(~frame["suppressed"]),
                     arrayminus=(frame["rate"] - frame["lower"]).where(~frame["suppressed"]), color=DARK_GREY),
        customdata=frame[["count", "lower", "upper"]].to_numpy(),
        hovertemplate=("%{y}: %{x:.2f} per 1,000 (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}), "
                       "count %{customdata[0]:,.0f}<extra></extra>"),
    ))
    benchmark = frame["benchmark"].dropna()
    if not benchmark.empty:
        fig.add_vline(x=float(benchmark.iloc[0]), line=dict(color=ORANGE, width=3, dash="dash"),
                      annotation_text=f"{total_label}: {benchmark.iloc[0]:.2f}", annotation_position="top")
    fig = _base_layout(fig, height=height)
    fig.update_layout(showlegend=False, hovermode="closest", margin=dict(l=20, r=30, t=40, b=40))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(title_text="Rate per 1,000 residents")
    return fig


def funnel_figure(breakdown: pd.DataFrame, limits: pd.DataFrame, *, total_label: str,
                  selected_code: str | None = None, height: int = 420) -> go.Figure:
    """Rate against population, with the total's rate and 95% / 99.8% control limits."""
    fig = go.Figure()
    for level, dash_style in (("95", "dash"), ("99.8", "dot")):
        for side in ("lower", "upper"):
            fig.add_trace(go.Scatter(
                x=limits["population"], y=limits[f"{side}_{level}"], mode="lines",
                line=dict(color=MID_GREY, dash=dash_style, width=1.5), name=f"{level}% limits",
                legendgroup=level, showlegend=side == "lower", hoverinfo="skip"))
    fig.add_hline(y=float(breakdown["benchmark"].iloc[0]), line=dict(color=ORANGE, width=3),
                  annotation_text=f"{total_label}", annotation_position="top left")
    frame = breakdown[~breakdown["suppressed"]]
    for verdict, group in frame.groupby("judgement"):
        fig.add_trace(go.Scatter(
            x=group["population"], y=group["rate"], mode="markers+text", name=verdict,
            text=group["area_name"], textposition="top center", textfont=dict(size=11),
            marker=dict(size=[16 if c == selected_code else 11 for c in group["area_code"]],
                        symbol=JUDGEMENT_SHAPES.get(verdict, "circle"),
                        color=JUDGEMENT_COLOURS.get(verdict, MID_GREY), line=dict(color=TEXT, width=1)),
            hovertemplate="%{text}: %{y:.2f} per 1,000, population %{x:,.0f}<extra>" + verdict + "</extra>"))
    fig = _base_layout(fig, height=height)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text="Residents", rangemode="tozero")
    fig.update_yaxes(title_text="Rate per 1,000 residents")
    return fig


def district_map(breakdown: pd.DataFrame, boundaries: dict, *, height: int = 440) -> go.Figure:
    """Choropleth of rates from the shipped boundaries (plotly geo, no tile server)."""
    frame = breakdown[~breakdown["suppressed"]]
    fig = go.Figure(go.Choropleth(
        geojson=boundaries, locations=frame["area_code"], featureidkey="properties.code", z=frame["rate"],
        colorscale=SEQUENTIAL, marker_line_color="white", marker_line_width=1.5,
        colorbar=dict(title=dict(text="per 1,000"), thickness=14),
        text=frame["area_name"] + ": " + frame["judgement"],
        hovertemplate="%{text}<br>%{z:.2f} per 1,000<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_layout(height=height, margin=dict(l=0, r=0, t=10, b=0), font=FONT, paper_bgcolor="white")
    return fig
