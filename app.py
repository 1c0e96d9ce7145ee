"""The Dash app shell: navigation, the global filters held in the URL, and `server` for gunicorn."""

from __future__ import annotations

import contextlib
import copy
import logging
from pathlib import Path
from urllib.parse import urlsplit

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, _pages, dcc, html
from dash.development.base_component import Component
from dash.fingerprint import build_fingerprint
from flask import Response, g, request

from components.committee import committee_bar, committee_props
from components.shell import filter_bar, footer, header, search_results
from kcsp import access, judgements, meetings, runtime, search
from kcsp.committee import CommitteeNav, committee_nav
from kcsp.users import User
from serving.routes import bp as pack_bp
from web.answers import init_answers, init_callback_checks
from web.api import bp as api_bp
from web.auth import SessionUser, init_auth, request_user
from web.download import bp as download_bp
from web.matters_api import bp as matters_api_bp
from web.plan_api import bp as plan_api_bp
from web.security import init_security, init_store_guard
from web.texts_api import bp as texts_api_bp
from web.unsubscribe import bp as unsubscribe_bp

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("kcsp.app")

runtime.configure()
for problem in runtime.store_problems():
    log.error("data store problem: %s", problem.public(full_path=True))

app = dash.Dash(
    __name__,
    use_pages=True,
    title=runtime.product_name(),
    update_title=None,
    serve_locally=True,
    # Callback exceptions are not suppressed: every callback's ids are checked against the layout and the
    # validation layout (validation_layout() below), so a wrong component id fails.
    suppress_callback_exceptions=False,
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
)
app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
server = app.server
init_store_guard(server, runtime.store_problems)
init_auth(server)
server.register_blueprint(api_bp)
server.register_blueprint(plan_api_bp)
server.register_blueprint(texts_api_bp)
server.register_blueprint(matters_api_bp)
server.register_blueprint(pack_bp)
server.register_blueprint(download_bp)
server.register_blueprint(unsubscribe_bp)


def first_view() -> tuple[str, str] | None:
    """(path, query) of the page the browser is opening, when this request is its layout request.

    Dash asks for the layout right after the page's HTML, and the browser names that page in the
    Referer (the policy is same-origin). None otherwise, or when the Referer is missing or foreign: the
    layout then leaves the page empty and Dash Pages' router fills it as the page's first callback.
    """
    if not request.path.endswith("/_dash-layout") or not request.referrer:
        return None
    page = urlsplit(request.referrer)
    if page.netloc != request.host:
        return None
    return page.path or "/", f"?{page.query}" if page.query else ""


def resolve(pathname: str) -> tuple[dict, dict]:
    """The registered page at this address and its path variables; the 404 page when none matches.

    The one rule for addresses: Dash Pages' own resolution, which its router uses too."""
    page, variables = _pages._path_to_page(app.strip_relative_path(pathname))
    if not page:
        return next(p for p in dash.page_registry.values() if p["module"].endswith("not_found_404")), {}
    return page, variables or {}


def page_container(view: tuple[str, str] | None) -> html.Div:
    """Dash Pages' container, already holding the page for `view`: what its router would put in it for
    the same address, so the page needs no first callback (a round trip, then a second render)."""
    if view is None:
        return dash.page_container
    pathname, search = view
    page, variables = resolve(pathname)
    content, title = page["layout"], page["title"]
    if callable(content):
        content = content(**{**variables, **_pages._parse_query_string(search)})
    if callable(title):
        title = title(**variables)
    return html.Div([
        dcc.Location(id="_pages_location", refresh="callback-nav", pathname=pathname, search=search),
        html.Div(content, id="_pages_content", disable_n_clicks=True),
        dcc.Store(id="_pages_store", data={"title": title}),
        html.Div(id="_pages_dummy", disable_n_clicks=True),
    ])


def committee_state(pathname: str | None, search: str | None) -> CommitteeNav:
    """Committee mode's navigation for this address."""
    ds = runtime.dataset()
    order = list(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    return committee_nav(pathname, search, order, set(ds.districts()["area_slug"]))


def layout() -> html.Div:
    if runtime.store_problems():
        return html.Div([dcc.Location(id="url"), html.Main(dash.page_container, id="main")], id="shell")
    ds = runtime.dataset()
    user = request_user()
    view = first_view()
    pathname, search = view if view else (None, None)
    nav = committee_state(pathname, search) if view else None
    return html.Div([
        # The shell's location pushes the URL without telling Dash Pages (refresh=False): pages that can
        # update in place do; otherwise the filters write Dash Pages' own location (assets/10-shell.js).
        dcc.Location(id="url", refresh=False, pathname=pathname, search=search),
        html.A("Skip to main content", href="#main", className="skip-link"),
        header(ds.priorities, ds.districts(), user_name=user.name if user else None,
               user_role=user.role if user else None, product=ds.register.product_name),
        filter_bar(ds.districts(), *ds.month_range(), all_label=ds.register.all_areas_label),
        committee_bar(nav),
        html.Main(page_container(view), id="main", className="container-fluid kcsp-main", tabIndex=-1),
        footer(),
    ], id="shell", className=committee_props(nav)[("shell", "className")])


def _ids_only(component, seen: dict) -> None:
    """Every component with an id in the tree, once each, reduced to its type and id."""
    if isinstance(component, list | tuple):
        for child in component:
            _ids_only(child, seen)
        return
    if not isinstance(component, Component):
        return
    key = str(getattr(component, "id", None))
    if getattr(component, "id", None) is not None and key not in seen:
        bare = copy.copy(component)
        for name in component._prop_names:
            if name != "id" and hasattr(bare, name):
                delattr(bare, name)
        seen[key] = bare
    for name in component._prop_names:
        value = getattr(component, name, None)
        if isinstance(value, Component | list | tuple):
            _ids_only(value, seen)


def _every_layout() -> list:
    """The shell and every page's layout (the priority and district pages for their first priority and
    district), as the request's viewer sees them."""
    ds = runtime.dataset()
    examples = {"priority_id": ds.priorities["priority_id"].iloc[0], "area_slug": ds.districts()["area_slug"].iloc[0]}
    layouts = [layout(), dash.page_container]
    for page in dash.page_registry.values():
        content = page["layout"]
        if callable(content):
            template = page.get("path_template") or ""
            content = content(**{name: value for name, value in examples.items() if f"<{name}>" in template})
        layouts.append(content)
    return layouts


def validation_layout() -> html.Div:
    """Every layout, as nobody signed in and as an administrator sees it (forms only the signed-in
    get), reduced to each component's type and id: what Dash checks every callback's ids and properties
    against, without sending every page's content inside every index page."""
    seen: dict = {}
    with server.test_request_context("/"):
        _ids_only(_every_layout(), seen)
    with server.test_request_context("/"):
        g._login_user = SessionUser(User("validation-layout", "admin", ()))  # never stored: ids only
        _ids_only(_every_layout(), seen)
    return html.Div(list(seen.values()))


if runtime.store_problems():  # every page answers 503 until the store is mended (web.security)
    app.validation_layout = html.Div([dcc.Location(id="url"), dash.page_container])
else:
    app.validation_layout = validation_layout()
VALIDATION_LAYOUT = app.validation_layout
app.layout = layout


@dash.callback(Output("site-search-results", "children"), Input("site-search", "value"), prevent_initial_call=True)
def site_search(query):
    """The search box's results (kcsp.search), what this viewer may see only."""
    text = query if isinstance(query, str) else ""
    found = search.search(runtime.dataset(), text, include_restricted=access.sees_restricted(request_user()))
    return search_results(found, text)


def _plotly_url() -> str:
    """plotly.js as Dash serves it, fingerprinted so the browser keeps it for a year (dcc.Graph loads it
    when a chart first mounts, unless it is there already)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    name = build_fingerprint("package_data/plotly.min.js", plotly.__version__, int(path.stat().st_mtime))
    return f"{app.config.requests_pathname_prefix}_dash-component-suites/plotly/{name}"


def interpolate_index(**parts) -> str:
    """Dash's page HTML with two hints in its head: fetch the layout and the callback list at once,
    while the scripts load, and on a page that draws charts, load plotly.js at once too."""
    prefix = app.config.requests_pathname_prefix
    hints = "".join(f'<link rel="preload" href="{prefix}{name}" as="fetch" crossorigin="anonymous">'
                    for name in ("_dash-layout", "_dash-dependencies"))
    if resolve(request.path)[0].get("charts"):
        hints += f'<script src="{PLOTLY_URL}" async></script>'
    return dash.Dash.interpolate_index(app, **parts).replace("</head>", hints + "</head>", 1)


PLOTLY_URL = _plotly_url()
app.interpolate_index = interpolate_index


dash.clientside_callback(
    ClientsideFunction("kcsp", "syncFilters"),
    Output("url", "search"),
    Output("_pages_location", "search"),
    Output("_pages_location", "pathname"),
    Output("filter-district", "value"),
    Output("filter-from", "value"),
    Output("filter-to", "value"),
    Input("url", "search"),
    Input("filter-district", "value"),
    Input("filter-from", "value"),
    Input("filter-to", "value"),
    State("url", "pathname"),
    State("filter-district", "options"),
)

dash.clientside_callback(
    ClientsideFunction("kcsp", "linkQuery"),
    Output({"type": "nav-link", "path": ALL}, "href"),
    Input("url", "search"),
    Input("url", "pathname"),
    State({"type": "nav-link", "path": ALL}, "id"),
)


COMMITTEE_OUTPUTS = tuple(committee_props(None))


@dash.callback(
    [Output(component, prop) for component, prop in COMMITTEE_OUTPUTS],
    Input("url", "pathname"),
    Input("url", "search"),
    # A first layout is set for its address already (layout()). Without one, the shell's location
    # reports the address when it mounts, and that runs this.
    prevent_initial_call=True,
)
def committee_mode(pathname, search):
    """Committee mode (present=1) from the URL: the shell's class, the toggle and the step links."""
    props = committee_props(committee_state(pathname, search))
    return [props[key] for key in COMMITTEE_OUTPUTS]


def page_exists(path: str) -> bool:
    """Whether a page answers this path: a registered page, with a priority or district that exists."""
    page, variables = resolve(path)
    if page["module"].endswith("not_found_404"):
        return False
    ds = runtime.dataset()
    known = {"priority_id": lambda v: ds.priority(v) is not None,
             "area_slug": lambda v: v in set(ds.districts()["area_slug"])}
    return all(known.get(name, lambda v: True)(value) for name, value in variables.items())


@server.after_request
def _not_found_status(response: Response) -> Response:
    """Dash answers every address with its page shell: an address no page has answers 404 (its own page)."""
    if request.endpoint == "/<path:path>" and response.status_code == 200 and not runtime.store_problems() \
            and not page_exists(request.path):
        response.status_code = 404
    return response


init_security(server, script_hashes=app.csp_hashes, max_body_bytes=runtime.settings().max_body_bytes)

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
"""Dash Pages' router callback (a page's layout, for moves inside the app): it only reads."""


def cacheable_outputs() -> list[str]:
    """The callbacks whose answers may be kept: the router and those marked `reads_only`."""
    return [ROUTER_OUTPUT, *(key for key, cb in app.callback_map.items()
                             if getattr(cb.get("callback"), "reads_only", False))]


init_callback_checks(server, lambda: app.callback_map)
init_answers(server, cacheable_outputs)

# Build the dataset, judge every measure, and let Dash Pages register its routing callback (it does so on
# the first request) now, once, before gunicorn's workers fork (preload_app): they start ready and share
# that memory.
if not runtime.store_problems():
    judgements.warm(runtime.dataset())
    with contextlib.suppress(meetings.MeetingError):  # the meeting /meeting opens on, as it stood
        judgements.warm(runtime.meeting(None)[1])
    with server.test_request_context("/"):
        server.preprocess_request()
    app.validation_layout = VALIDATION_LAYOUT  # Dash Pages' set-up put every page's whole layout there


if __name__ == "__main__":
    app.run(debug=False)
