"""The Dash app shell: navigation, the global filters held in the URL, and `server` for gunicorn."""

from __future__ import annotations

import logging
import re

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from flask import Response, request

from components.committee import committee_bar
from components.shell import filter_bar, footer, header
from kcsp import runtime
from kcsp.committee import committee_nav
from kcsp.web.api import bp as api_bp
from kcsp.web.auth import init_auth, request_user
from kcsp.web.plan_api import bp as plan_api_bp
from kcsp.web.security import init_security, init_store_guard
from serving.routes import bp as pack_bp

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("kcsp.app")

runtime.configure()
for problem in runtime.store_problems():
    log.error("data store problem: %s", problem.public(full_path=True))

app = dash.Dash(
    __name__,
    use_pages=True,
    title="Kent Community Safety Dashboard",
    update_title=None,
    serve_locally=True,
    # Pages register their callbacks globally; without this, Dash Pages would send a validation layout
    # (every page's default layout, about 240 KB) inside every index page.
    suppress_callback_exceptions=True,
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
)
app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
server = app.server
init_store_guard(server, runtime.store_problems)
init_auth(server)
server.register_blueprint(api_bp)
server.register_blueprint(plan_api_bp)
server.register_blueprint(pack_bp)


def layout() -> html.Div:
    if runtime.store_problems():
        return html.Div([dcc.Location(id="url"), html.Main(dash.page_container, id="main")], id="shell")
    ds = runtime.dataset()
    user = request_user()
    return html.Div([
        # The shell's location pushes the URL without telling Dash Pages (refresh=False): pages that can
        # update in place do; otherwise the filters write Dash Pages' own location (assets/10-shell.js).
        dcc.Location(id="url", refresh=False),
        html.A("Skip to main content", href="#main", className="skip-link"),
        header(ds.priorities, ds.districts(), user_name=user.name if user else None,
               user_role=user.role if user else None),
        filter_bar(ds.districts(), *ds.month_range()),
        committee_bar(),
        html.Main(dash.page_container, id="main", className="container-fluid kcsp-main", tabIndex=-1),
        footer(),
    ], id="shell", className="kcsp-shell")


app.layout = layout


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


@dash.callback(
    Output("shell", "className"),
    Output("present-toggle", "href"),
    Output("present-toggle", "children"),
    Output("committee-previous", "href"),
    Output("committee-previous", "children"),
    Output("committee-previous", "className"),
    Output("committee-next", "href"),
    Output("committee-next", "children"),
    Output("committee-next", "className"),
    Output("committee-count", "children"),
    Input("url", "pathname"),
    Input("url", "search"),
)
def committee_mode(pathname, search):
    """Committee mode (present=1) from the URL: the shell's class, the toggle and the step links."""
    ds = runtime.dataset()
    order = list(zip(ds.priorities["priority_id"], ds.priorities["name"], strict=True))
    nav = committee_nav(pathname, search, order, set(ds.districts()["area_slug"]))
    hidden, shown = "committee-step d-none", "committee-step"
    prev_href, prev_label = (nav.previous.href, f"\u2190 {nav.previous.label}") if nav.previous else ("/", "")
    next_href, next_label = (nav.next.href, f"{nav.next.label} \u2192") if nav.next else ("/", "")
    return ("kcsp-shell present-mode" if nav.present else "kcsp-shell", nav.toggle_href,
            "Leave committee mode" if nav.present else "Committee mode",
            prev_href, prev_label, shown if nav.previous else hidden,
            next_href, next_label, shown if nav.next else hidden, nav.counter)


def page_exists(path: str) -> bool:
    """Whether a page answers this path: a registered page, with a priority or district that exists."""
    ds = runtime.dataset()
    known = {"priority_id": lambda v: ds.priority(v) is not None,
             "area_slug": lambda v: v in set(ds.districts()["area_slug"])}
    path = path.rstrip("/") or "/"
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if not template:
            if page["path"] == path and not page["module"].endswith("not_found_404"):
                return True
            continue
        found = re.fullmatch(re.sub(r"<(\w+)>", r"(?P<\1>[^/]+)", template), path)
        if found and all(known.get(name, lambda v: True)(value) for name, value in found.groupdict().items()):
            return True
    return False


@server.after_request
def _not_found_status(response: Response) -> Response:
    """Dash answers every address with its page shell: an address no page has answers 404 (its own page)."""
    if request.endpoint == "/<path:path>" and response.status_code == 200 and not runtime.store_problems() \
            and not page_exists(request.path):
        response.status_code = 404
    return response


init_security(server, script_hashes=app.csp_hashes, max_body_bytes=runtime.settings().max_body_bytes)

# Build the dataset and let Dash Pages register its routing callback (it does so on the first request)
# now, once, before gunicorn's workers fork (preload_app): they start ready and share that memory.
if not runtime.store_problems():
    runtime.dataset()
    with server.test_request_context("/"):
        server.preprocess_request()


if __name__ == "__main__":
    app.run(debug=False)
