"""Committee mode's bar: the button that enters and leaves it, the key hint and previous / next links.

The links are dcc.Link, so stepping stays inside the app; assets/20-committee.js presses them
when the right and left arrow keys are used in committee mode.
"""

from __future__ import annotations

from dash import dcc, html

from kcsp.committee import CommitteeNav

HIDDEN, SHOWN = "committee-step d-none", "committee-step"


def committee_props(nav: CommitteeNav | None) -> dict[tuple[str, str], object]:
    """What committee mode sets from the URL, as (component id, property) -> value: the shell's class,
    the toggle, the previous and next links and the counter. None: outside committee mode, on no page."""
    if nav is None:
        return {("shell", "className"): "kcsp-shell", ("present-toggle", "href"): "/?present=1",
                ("present-toggle", "children"): "Committee mode", ("committee-previous", "href"): "/",
                ("committee-previous", "children"): "\u2190 Previous", ("committee-previous", "className"): HIDDEN,
                ("committee-next", "href"): "/", ("committee-next", "children"): "Next \u2192",
                ("committee-next", "className"): HIDDEN, ("committee-count", "children"): ""}
    previous, following = nav.previous, nav.next
    return {
        ("shell", "className"): "kcsp-shell present-mode" if nav.present else "kcsp-shell",
        ("present-toggle", "href"): nav.toggle_href,
        ("present-toggle", "children"): "Leave committee mode" if nav.present else "Committee mode",
        ("committee-previous", "href"): previous.href if previous else "/",
        ("committee-previous", "children"): f"\u2190 {previous.label}" if previous else "",
        ("committee-previous", "className"): SHOWN if previous else HIDDEN,
        ("committee-next", "href"): following.href if following else "/",
        ("committee-next", "children"): f"{following.label} \u2192" if following else "",
        ("committee-next", "className"): SHOWN if following else HIDDEN,
        ("committee-count", "children"): nav.counter,
    }


def committee_bar(nav: CommitteeNav | None = None) -> html.Div:
    """The bar as committee mode sets it for `nav` (the shell's committee_mode callback keeps it in step
    with the URL afterwards)."""
    props = committee_props(nav)

    def step(link_id: str) -> dcc.Link:
        return dcc.Link(props[(link_id, "children")], href=props[(link_id, "href")], id=link_id,
                        className=props[(link_id, "className")])

    return html.Div([
        html.Div([
            step("committee-previous"),
            html.P([
                html.Span(props[("committee-count", "children")], id="committee-count", className="committee-count"),
                html.Span(" Committee mode: ", className="fw-bold"),
                html.Kbd("\u2192"), " next, ", html.Kbd("\u2190"), " previous, ", html.Kbd("Enter"), " full page",
            ], id="committee-hint", className="committee-hint mb-0"),
            step("committee-next"),
        ], className="committee-steps"),
        dcc.Link(props[("present-toggle", "children")], href=props[("present-toggle", "href")], id="present-toggle",
                 className="btn btn-sm present-toggle"),
    ], id="committee-bar", className="committee-bar", role="region", **{"aria-label": "Committee mode"})
