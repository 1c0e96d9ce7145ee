"""One local area (a district, or a unitary beside the county) across every priority: measures against
the county, actions, local issues."""

from __future__ import annotations

import dash
import pandas as pd
from dash import dcc, html

from components.actions_table import actions_table
from components.brag import legend
from components.cards import illustrative_badge
from components.indicator_cards import control_card
from components.meeting import moves_table, significant_table
from components.verdicts import variation_icon, verdict_badge
from kcsp import access, judgements, meetings, opendata, runtime
from kcsp.judgements import CHANGE, COMPARISON
from kcsp.narrative import CHANGE_METHOD, COMPARISON_METHOD, change_figures
from kcsp.urlstate import from_params
from web.auth import request_user


def title(area_slug: str | None = None, **_params) -> str:
    """The browser tab names the district shown."""
    ds = runtime.dataset()
    code = ds.area_code_for_slug(area_slug)
    return f"{ds.area_name(code) if code else 'District not found'} - {runtime.product_name()}"


dash.register_page(__name__, path_template="/district/<area_slug>", title=title, name="District", charts=True)

COLUMNS = ("Measure", "Window judged", "Rate per 1,000", "Compared with the county",
           "Change (control chart, or test against the year before)")


def _row(ds, ind, code, state, reveal: bool):
    iid = ind["indicator_id"]
    comparison = judgements.verdict(ds, iid, code, COMPARISON, state.start_ts, state.end_ts, reveal=reveal)
    change = judgements.verdict(ds, iid, code, CHANGE, state.start_ts, state.end_ts, reveal=reveal)
    window = comparison.window.words() if comparison.window else "no complete figures in the period chosen"
    if comparison.verdict is None:
        rate = "withheld"
    elif comparison.rate is None:
        rate = ""
    else:
        rate = f"{comparison.rate:.2f} (county {comparison.benchmark:.2f})"
    counts = change_figures(change)
    return html.Tr([
        html.Td([ind["name"], " ", illustrative_badge(bool(ind["illustrative"]))]),
        html.Td(window, className="small"), html.Td(rate),
        html.Td(verdict_badge(comparison)),
        html.Td([variation_icon(change), verdict_badge(change), html.Br(),
                 html.Span(counts, className="small")]),
    ])


def _priority_section(ds, priority, code, state, reveal: bool):
    inds = ds.indicators_for(priority["priority_id"])
    local = inds["indicator_id"].map(lambda i: ds.has_data(i, code)).astype(bool)
    inds = inds[(inds["geography"] == "district") & local]
    inds = inds[[code in ds.members(i) for i in inds["indicator_id"]]]
    if inds.empty:
        body = html.P("This priority's measures are only available for the county as a whole.", className="text-muted")
    else:
        head = html.Thead(html.Tr([html.Th(h, scope="col") for h in COLUMNS]))
        body = html.Div(html.Table([head, html.Tbody([_row(ds, ind, code, state, reveal)
                                                                   for _, ind in inds.iterrows()])],
                                   className="table table-sm district-measures"), className="table-responsive")
    return html.Section([html.H2(priority["name"], className="h5 mt-3"), body])


SIGNALS_SHOWN = 6
"""At most this many control charts of a district's signals are drawn; the table lists every verdict."""


def _signals(ds, code: str, name: str, state, reveal: bool) -> html.Section:
    """The control charts of the measures whose latest month signals special cause in this district."""
    found = []
    for _, ind in ds.indicators.iterrows():
        iid = ind["indicator_id"]
        if ind["geography"] != "district" or code not in ds.members(iid) or not ds.has_data(iid, code):
            continue
        change = judgements.verdict(ds, iid, code, CHANGE, state.start_ts, state.end_ts, reveal=reveal)
        if change is not None and change.signal is not None and (change.chart is not None or change.months_withheld):
            found.append((ind, change))
    found.sort(key=lambda pair: pair[1].p_value if pair[1].p_value is not None else 1.0)
    if not found:
        body = [html.P(f"No measure's control chart shows special cause variation in {name}'s latest month: "
                       "every monthly measure varies as it usually does.")]
    else:
        more = len(found) - SIGNALS_SHOWN
        body = [control_card(indicator=ind, change=change, area_name=name, key=ind["indicator_id"])
                for ind, change in found[:SIGNALS_SHOWN]]
        if more > 0:
            body.append(html.P(f"{more} more signal{'s' if more > 1 else ''} in the table below.", className="small"))
    return html.Section([
        html.H2(f"Control charts: where {name}'s latest month signals", className="h4 mt-3", id="district-signals"),
        html.P("Each chart draws the measure month by month with its mean and process limits from the shaded "
               "baseline; marked months break one of the chart's rules. Chance alone would still give the odd "
               "signal across this many measures, so read them as prompts for a question, not as proof.",
               className="small"),
        *body,
    ])


def _assessment(ds, csp_name):
    sa = ds.tables["strategic_assessment"]
    mine = sa[sa["csp_name"] == csp_name]
    if mine.empty:
        return html.P("No strategic assessment is held for this partnership.", className="text-muted")
    year = mine["year"].max()
    mine = mine[mine["year"] == year]
    items = [html.Li(f"{r.issue}: {r.classification.replace('-', ' ')}") for r in mine.itertuples()]
    return html.Div([
        html.P([f"Issues {csp_name} identified in its {year} strategic assessment ",
                illustrative_badge(bool(mine["illustrative"].any())), ":"]),
        html.Ul(items),
    ])


def _deprivation(ds, code: str):
    sentence = opendata.deprivation_sentence(code, frame=ds.tables["deprivation"], register=ds.register)
    if sentence is None:
        return None
    return html.Section([
        html.H2("Deprivation (context)", className="h5 mt-2"),
        html.P([sentence, " ", html.Span("Source: MHCLG, English Indices of Deprivation 2019, Open Government "
                                         "Licence v3.0. Context for the figures below, not a measure of this "
                                         "partnership's work.", className="small text-muted")],
               id="district-deprivation"),
    ])


def _since_last_meeting(ds, area_slug: str, code: str, name: str, include_restricted: bool) -> html.Section:
    """What changed for this district since the partnership's last meeting: significant changes in its
    own figures, and status moves of the actions covering it."""
    last = ds.last_meeting()
    if last is None:
        return html.Section(html.P("No meeting has been held yet, so there is nothing to compare with."))
    since = pd.Timestamp(last["date"])
    data_end = meetings.last_complete_month(ds.today)
    names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    fresh = meetings.new_data(ds, since, ds.today, area_code=code)
    changes = meetings.district_changes(ds, data_end, area_slug, reveal=include_restricted, since=since)
    moved = meetings.action_moves(ds, since, ds.today, include_restricted=include_restricted, district=area_slug)
    new_words = (f"New data since then for {len(fresh)} measure{'s' if len(fresh) != 1 else ''} with "
                 f"{name}'s own figures." if not fresh.empty else f"No new data for {name} since then.")
    return html.Section([
        html.H2(f"Since the last meeting ({last['name']})", className="h4 mt-2"),
        html.P([new_words, " ", dcc.Link(f"The meeting page for {name}",
                                         href=f"/meeting?district={area_slug}"), "."]),
        html.H3(f"Significant changes in {name}", className="h5"),
        significant_table(changes, names),
        html.H3(f"Actions covering {name} whose status moved", className="h5"),
        moves_table(moved, names),
    ], id="district-since", className="district-since", **{"aria-label": "Since the last meeting"})


def layout(area_slug: str | None = None, **params):
    ds = runtime.dataset()
    code = ds.area_code_for_slug(area_slug)
    if code is None or code not in set(ds.districts()["area_code"]):
        return html.Div([html.H1("District not found", className="h3"),
                         html.P(f"There is no district called {area_slug!r}. Choose one from the menu.")])
    state = from_params(params, set(ds.districts()["area_slug"]))
    area = ds.area(code)
    user = request_user()
    reveal = access.reveals_withheld(user)
    actions = ds.actions_for(include_restricted=access.sees_restricted(user), district=area_slug)
    priority_names = dict(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    note = (f"{area['area_name']} is outside the {ds.register.county_name} Community Safety Agreement; its figures "
            f"are part of {ds.register.force_area_name} totals." if not area["in_csa"]
            else f"Local partnership: {area['csp_name']}.")
    return html.Div([
        html.H1(f"{area['area_name']}: all priorities", className="h3"),
        html.P(note, className="lead-text"),
        html.P(ds.register.formed_words(code), className="formed-from") if ds.register.formed_words(code) else None,
        _deprivation(ds, code),
        _since_last_meeting(ds, area_slug, code, area["area_name"], reveal),
        _signals(ds, code, area["area_name"], state, reveal),
        html.H2("Every measure against the county", className="h4 mt-3"),
        html.P("Each measure is judged over its latest year (12 months, 4 quarters or a year) within the period "
               f"chosen. {COMPARISON_METHOD} {CHANGE_METHOD}", className="small"),
        *[_priority_section(ds, p, code, state, reveal) for _, p in ds.priorities.iterrows()],
        html.H2("Local strategic assessment", className="h4 mt-3"),
        _assessment(ds, area["csp_name"]),
        html.H2("Actions that cover this district", className="h4 mt-3"),
        legend(),
        actions_table(actions, caption=f"Actions covering {area['area_name']}, including county-wide actions",
                      priority_names=priority_names),
    ])
