"""The shell's pieces: header with navigation, the global filter bar, and the footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from kcsp import access


def nav_link(label: str, path: str, **kwargs) -> dbc.NavLink:
    return dbc.NavLink(label, href=path, id={"type": "nav-link", "path": path}, active="exact", **kwargs)


def _menu_item(label: str, path: str) -> dbc.DropdownMenuItem:
    return dbc.DropdownMenuItem(label, href=path, id={"type": "nav-link", "path": path})


def account_links(user_name: str | None, user_role: str | None) -> list:
    """'Sign in', or who is signed in (name and role) with a Sign out link, what they follow and (admins and
    leads) the update round's board."""
    if not user_name:
        return [dbc.NavLink("Sign in", href="/login", external_link=True, id="nav-login")]
    role = f" ({user_role})" if user_role else ""
    board = [nav_link("Update round", "/rounds")] if access.role_can(user_role, access.SEE_ROUNDS) else []
    return [
        *board,
        nav_link("What you follow", "/following"),
        html.Span(["Signed in as ", html.Strong(user_name, id="nav-user-name"), role],
                  className="kcsp-signed-in navbar-text", id="nav-user"),
        dbc.NavLink("Sign out", href="/logout", external_link=True, id="nav-logout"),
    ]


def header(priorities: pd.DataFrame, districts: pd.DataFrame, *, user_name: str | None = None,
           user_role: str | None = None, product: str = "Community Safety Dashboard") -> html.Header:
    """Brand, navigation and the account links (user_name None: nobody is signed in)."""
    priority_menu = dbc.DropdownMenu(
        [_menu_item(p.name, f"/priority/{p.priority_id}") for p in priorities.itertuples()],
        label="Priorities", nav=True, in_navbar=True, id="nav-priorities",
    )
    district_menu = dbc.DropdownMenu(
        [_menu_item(d.area_name, f"/district/{d.area_slug}") for d in districts.itertuples()],
        label="Districts", nav=True, in_navbar=True, id="nav-districts",
    )
    nav = dbc.Nav([
        nav_link("Overview", "/"),
        priority_menu,
        district_menu,
        nav_link("Action plan", "/actions"),
        nav_link("Meetings", "/meeting"),
        nav_link("Strategic assessment", "/assessment"),
        nav_link("Data and sources", "/data"),
        nav_link("Help", "/help"),
        *account_links(user_name, user_role),
    ], className="kcsp-nav", navbar=True)
    return html.Header([
        html.A(product, href="/", className="kcsp-brand"),
        html.Nav(nav, **{"aria-label": "Main"}),
    ], className="kcsp-header d-flex flex-wrap align-items-center gap-3 px-3 py-2")


def month_options(first: pd.Timestamp, last: pd.Timestamp) -> list[dict]:
    months = pd.date_range(first, last, freq="MS")
    return [{"label": f"{m:%b %Y}", "value": f"{m:%Y-%m}"} for m in reversed(months)]


# The "no choice" option of each filter has a value of its own: dbc.Select keeps a hidden placeholder
# option whose value is "", which the browser would show selected instead.
ALL_DISTRICTS, EARLIEST, LATEST = "all", "earliest", "latest"


def _select(label: str, control_id: str, options: list[dict]) -> html.Div:
    return html.Div([
        html.Label(label, htmlFor=control_id, className="form-label mb-0"),
        dbc.Select(id=control_id, options=options, value=options[0]["value"]),
    ], className="filter")


def filter_bar(districts: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp,
               all_label: str = "All areas") -> html.Section:
    """District and period choices (native selects); their values live in the URL
    (kept in step in the browser by `syncFilters` in assets/10-shell.js)."""
    district_options = [{"label": all_label, "value": ALL_DISTRICTS}] + [
        {"label": d.area_name + (" (outside the CSA)" if not d.in_csa else ""), "value": d.area_slug}
        for d in districts.itertuples()
    ]
    months = month_options(first, last)
    return html.Section([
        _select("District", "filter-district", district_options),
        _select("From", "filter-from", [{"label": "Earliest", "value": EARLIEST}, *months]),
        _select("To", "filter-to", [{"label": "Latest", "value": LATEST}, *months]),
        search_box(),
    ], className="filter-bar d-flex flex-wrap gap-3 px-3 py-2", **{"aria-label": "Filters"})


def search_box() -> html.Div:
    """The site search (kcsp.search): results as links under the box, found as you type."""
    return html.Div([
        html.Label("Search", htmlFor="site-search", className="form-label mb-0"),
        dcc.Input(id="site-search", type="search", debounce=0.3, maxLength=100, autoComplete="off",
                  placeholder="A priority, measure, action (A011), district or meeting",
                  className="form-control"),
        html.Div(id="site-search-results", className="site-search-results", role="status",
                 **{"aria-live": "polite"}),
    ], className="filter site-search ms-lg-auto", role="search")


def search_results(results: list, query: str) -> list | str:
    """The search's answer: one link per result, its kind in words; or why there is none."""
    if not query.strip():
        return ""
    if not results:
        return html.P(f"Nothing found for \u201c{query.strip()}\u201d.", className="small mb-0")
    return html.Ul([html.Li([html.Span(f"{r.kind.capitalize()}: ", className="small text-muted"),
                             dcc.Link(r.label, href=r.href),
                             html.Span(f" ({r.detail})", className="small text-muted") if r.detail else None])
                    for r in results], className="list-unstyled mb-0 site-search-list")


def footer() -> html.Footer:
    return html.Footer([
        html.P([
            "Police recorded crime: data.police.uk, Open Government Licence v3.0. Population: ONS censuses "
            "2011 and 2021. Boundaries: ONS and OS OpenData, Crown copyright. Series marked ",
            html.Strong("Illustrative"),
            " are generated for demonstration and calibrated to figures in the partnership's papers. ",
            dcc.Link("Sources, definitions and caveats", href="/data"), ".",
        ], className="small mb-0"),
    ], className="kcsp-footer px-3 py-3")
