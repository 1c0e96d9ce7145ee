"""Page render in headless Chromium against the floor of the same figures drawn from static HTML,
against Dash's own floor, and against the first measurement, in one run.

How a page is timed: a probe script is installed in the browser (DevTools
``Page.addScriptToEvaluateOnNewDocument``) so it runs before any page script. Every 10 ms it checks
that the page is drawn and Dash is idle:

- no ``._dash-loading`` (the app is still starting), no ``._dash-loading-callback`` (Dash shows it
  while any callback is pending), no ``[data-dash-is-loading="true"]``, no fetch in flight;
- on a Dash page, the page container ``#_pages_content`` holds the page;
- every visible ``.dash-graph`` holds a plotly ``.main-svg`` (the test suite's definition of drawn);
- when a text is expected (after a district change), a heading contains it.

A MutationObserver records the last DOM change. The page is *ready at* the later of "the checks
started to pass" and "the last DOM change", read from ``performance.now()``, i.e. milliseconds since
``performance.timeOrigin`` (the start of the navigation). Python polls until the page has been
ready and unchanged for SETTLE_S, so a quiet moment between two callbacks is not mistaken for the
end; the settle time itself is not counted.

The floor: the figures are read from the live page (each ``.js-plotly-plot`` element's ``data``
and ``layout``, and its plotly config), written into a static HTML file that loads the same
``plotly.min.js`` and draws them at the same widths, served over http from a thread on loopback,
and timed with the same probe in the same browser. Dash's floor: the same figures as ``dcc.Graph``
elements in the first layout of a bare Dash page (benchmarks.dash_floor, under gunicorn, with the
same component bundles), and an empty Dash page: what any page costs inside Dash. The first
measurement: the same route on an earlier commit (``--first``, a git worktree served by its own
gunicorn on the same store). Every one of them is timed warm (after one untimed visit), as a user
moving between pages sees them, in turn for each run; each navigation starts from about:blank.

Also printed per route, from the browser's Resource Timing: when the last callback answer arrived
(none when the page needs no callback).

District change: on a freshly opened priority page, the district is chosen in the native
``#filter-district`` select (as the keyboard or a click does, firing its ``change`` event); the time
runs from that event (its timestamp) to the page ready with "in <district>" in a heading. Each
district is timed on the first measurement and today in turn. One more change is run under the
DevTools CPU profiler and the time is split by script. Its floor: the static floor page of the same
figures, redrawn by ``Plotly.react`` (what dcc.Graph calls) to the figures of another district, timed
to the next frame after the last chart is drawn.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from selenium.common.exceptions import WebDriverException

from benchmarks.common import (
    ROOT,
    BenchmarkError,
    Deadline,
    Gunicorn,
    build_demo_store,
    chromium,
    dash_floor,
    median,
    ms,
    say,
    static_server,
    table,
    verdict,
)

ROUTES = (
    "/",
    "/priority/neighbourhood-crime-asb",
    "/priority/domestic-abuse",
    "/priority/road-safety",
    "/priority/neighbourhood-crime-asb?district=maidstone",
    "/district/maidstone",
    "/actions",
    "/meeting",
    "/data",
)
DISTRICT_PAGE = "/priority/neighbourhood-crime-asb"
DISTRICTS = ("Maidstone", "Ashford", "Dover", "Swale", "Thanet", "Canterbury", "Dartford", "Sevenoaks")
PROFILED_DISTRICT = "Gravesham"
FLOOR_RATIO_TARGET = 1.3
DISTRICT_TARGET_S = 0.3
SETTLE_S = 0.4
READY_TIMEOUT_S = 60
POLL_S = 0.02

PROBE_JS = r"""
(() => {
  if (window.__kcsp) return;
  const state = {inflight: 0, since: null, graphs: -1, lastMutation: 0, expect: null, choice: null};
  window.__kcsp = state;
  const realFetch = window.fetch;
  window.fetch = function (...args) {
    state.inflight += 1;
    let promise;
    try { promise = realFetch.apply(this, args); } catch (err) { state.inflight -= 1; throw err; }
    return promise.finally(() => { state.inflight -= 1; });
  };
  new MutationObserver(() => { state.lastMutation = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const stampChoice = (event) => {
    if (state.choice === null && event.target.id === 'filter-district') state.choice = event.timeStamp;
  };
  for (const type of ['input', 'change']) document.addEventListener(type, stampChoice, true);
  const BUSY = '._dash-loading, ._dash-loading-callback, [data-dash-is-loading="true"]';
  const drawnGraphs = () => {
    if (document.readyState === 'loading' || !document.body) return -1;
    if (state.inflight > 0 || document.querySelector(BUSY)) return -1;
    if (document.getElementById('react-entry-point') && !document.querySelector('#_pages_content > *')) return -1;
    if (state.expect !== null && !Array.from(document.querySelectorAll('h1, h2'))
        .some((h) => h.textContent.includes(state.expect))) return -1;
    const graphs = Array.from(document.querySelectorAll('.dash-graph')).filter((g) => g.offsetParent !== null);
    return graphs.every((g) => g.querySelector('.main-svg')) ? graphs.length : -1;
  };
  setInterval(() => {
    const n = drawnGraphs();
    if (n < 0) { state.since = null; state.graphs = -1; }
    else if (state.since === null || n !== state.graphs) { state.since = performance.now(); state.graphs = n; }
  }, 10);
})();
"""

STATE_JS = """
const s = window.__kcsp;
if (!s) return null;
return {since: s.since, graphs: s.graphs, last: s.lastMutation, now: performance.now(), choice: s.choice};
"""

CALLBACKS_JS = """
const calls = performance.getEntriesByType('resource').filter((e) => e.name.includes('_dash-update-component'));
if (!calls.length) return null;
return {sent: Math.min(...calls.map((e) => e.startTime)), done: Math.max(...calls.map((e) => e.responseEnd)),
        bytes: Math.max(...calls.map((e) => e.decodedBodySize))};
"""

FIGURES_JS = """
const plain = (key, value) => {
  if (ArrayBuffer.isView(value)) return Array.from(value);
  if (typeof value === 'function' || (value instanceof Node)) return undefined;
  return value;
};
return Array.from(document.querySelectorAll('.dash-graph'))
  .filter((g) => g.offsetParent !== null)
  .map((g) => {
    const gd = g.querySelector('.js-plotly-plot');
    const config = {};
    for (const [key, value] of Object.entries(gd._context || {})) {
      if (!key.startsWith('_') && typeof value !== 'function') config[key] = value;
    }
    return JSON.stringify({data: gd.data, layout: gd.layout, config: config, width: gd.offsetWidth}, plain);
  });
"""

FLOOR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>floor: {title}</title>
<script src="/plotly.min.js"></script>
<style>body {{ margin: 0; font-family: Arial, sans-serif; }} .dash-graph {{ margin: 8px 0; }}</style>
</head><body>
{divs}
<script>
const figures = {figures};
figures.forEach((f, i) => Plotly.newPlot('g' + i, f.data, f.layout, f.config));
</script>
</body></html>
"""


FIRST, TODAY, FLOOR, DASH_FLOOR = "first", "today", "floor", "dash floor"
"""What each route is timed on: the first measurement (an earlier commit, when one is given), the
dashboard today, the static floor, and Dash's floor (the same figures in a bare Dash page)."""


@dataclass
class PageResult:
    route: str
    times: dict[str, list[float]] = field(default_factory=dict)
    graphs: int = 0
    callbacks_sent: list[float] = field(default_factory=list)
    callbacks_done: list[float] = field(default_factory=list)
    largest_response_kb: float = 0.0
    error: str | None = None

    def median_of(self, what: str) -> float:
        return median(self.times.get(what, []))

    @property
    def runs(self) -> list[float]:
        return self.times.get(TODAY, [])

    @property
    def median(self) -> float:
        return self.median_of(TODAY)

    @property
    def floor(self) -> float:
        return self.median_of(FLOOR)

    def ratio_of(self, what: str) -> float:
        floor = self.floor
        return self.median_of(what) / floor if floor else float("nan")

    @property
    def ratio(self) -> float:
        return self.ratio_of(TODAY)

    def as_dict(self) -> dict:
        return {"route": self.route, "median_s": self.median, "floor_s": self.floor, "ratio": self.ratio,
                "first_s": self.median_of(FIRST), "first_ratio": self.ratio_of(FIRST),
                "dash_floor_s": self.median_of(DASH_FLOOR), "dash_floor_ratio": self.ratio_of(DASH_FLOOR),
                "graphs": self.graphs, "runs_s": self.runs, "times_s": self.times,
                "callbacks_sent_median_s": median(self.callbacks_sent),
                "callbacks_done_median_s": median(self.callbacks_done),
                "largest_callback_response_kb": self.largest_response_kb, "error": self.error}


def install_probe(driver) -> None:
    """Run the probe in every document this browser opens from now on."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS})


def wait_ready(driver, *, min_graphs: int = 0, after: float | None = None,
               timeout: float = READY_TIMEOUT_S) -> tuple[float, int]:
    """Wait until the page is drawn, idle and unchanged for SETTLE_S; return (ready_at_s, graphs).

    ready_at is in the page's clock (seconds since its navigation started).
    """
    deadline = Deadline(timeout)
    while True:
        state = driver.execute_script(STATE_JS)
        if state and state["since"] is not None and state["graphs"] >= min_graphs:
            ready_at = max(state["since"], state["last"])
            if (after is None or ready_at > after) and state["now"] - ready_at >= SETTLE_S * 1000:
                return ready_at / 1000, int(state["graphs"])
        if deadline.expired():
            raise BenchmarkError(f"{driver.current_url} did not settle in {timeout} s (state {state})")
        time.sleep(POLL_S)


def time_navigation(driver, url: str, *, min_graphs: int = 0) -> tuple[float, int]:
    """Navigate from a blank page to url; return (seconds from navigation start to ready, graphs)."""
    driver.get("about:blank")
    driver.get(url)
    return wait_ready(driver, min_graphs=min_graphs)


def capture_figures(driver) -> list[dict]:
    return [json.loads(text) for text in driver.execute_script(FIGURES_JS)]


def plotly_js() -> Path:
    """The plotly.min.js Dash serves (dash takes it from the plotly package)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise BenchmarkError(f"{path} is missing")
    return path


def prepare_floor_dir(directory: Path) -> Path:
    """A folder with plotly.min.js and the app's offline map data at the paths the figures use."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(plotly_js(), directory / "plotly.min.js")
    topojson = ROOT / "assets" / "topojson"
    if topojson.is_dir():
        shutil.copytree(topojson, directory / "assets" / "topojson", dirs_exist_ok=True)
    return directory


def write_floor_page(directory: Path, name: str, route: str, figures: list[dict]) -> str:
    """The static floor page (name.html), and the figures for Dash's floor (name.json, benchmarks.dash_floor)."""
    divs = "\n".join(f'<div class="dash-graph" id="g{i}" style="width: {max(int(f["width"]), 100)}px"></div>'
                     for i, f in enumerate(figures))
    kept = [{k: f[k] for k in ("data", "layout", "config")} for f in figures]
    payload = json.dumps(kept).replace("</", "<\\/")
    html = FLOOR_HTML.format(title=route.replace("<", ""), divs=divs, figures=payload)
    (directory / f"{name}.html").write_text(html, encoding="utf-8")
    (directory / f"{name}.json").write_text(json.dumps([{**k, "width": f["width"]} for k, f in
                                                        zip(kept, figures, strict=True)]), encoding="utf-8")
    return f"{name}.html"


@dataclass(frozen=True)
class Servers:
    """Base URLs: the dashboard today, the first measurement's commit (or ""), the static floor pages
    and Dash's floor (benchmarks.dash_floor)."""

    today: str
    floor: str
    dash_floor: str
    first: str = ""


def measure_route(driver, servers: Servers, floor_dir: Path, name: str, result: PageResult, runs: int,
                  deadline: Deadline) -> None:
    """Fill result with `runs` warm navigations to the route on each server and to its floors, interleaved."""
    route = result.route
    _, result.graphs = time_navigation(driver, servers.today + route)  # warm-up; how many charts it draws
    figures = capture_figures(driver)
    page = write_floor_page(floor_dir, name, route, figures)
    urls = {TODAY: (servers.today + route, result.graphs), FLOOR: (f"{servers.floor}/{page}", len(figures)),
            DASH_FLOOR: (f"{servers.dash_floor}/{name}", len(figures))}
    if servers.first:
        _, first_graphs = time_navigation(driver, servers.first + route)
        urls[FIRST] = (servers.first + route, first_graphs)
    for url, graphs in urls.values():
        time_navigation(driver, url, min_graphs=graphs)
    for _ in range(runs):
        if deadline.expired():
            break
        for what, (url, graphs) in urls.items():
            seconds, _ = time_navigation(driver, url, min_graphs=graphs)
            result.times.setdefault(what, []).append(seconds)
            calls = driver.execute_script(CALLBACKS_JS) if what == TODAY else None
            if calls is not None:
                result.callbacks_sent.append(calls["sent"] / 1000)
                result.callbacks_done.append(calls["done"] / 1000)
                result.largest_response_kb = calls["bytes"] / 1024


def measure_routes(driver, servers: Servers, floor_dir: Path, routes, runs: int,
                   deadline: Deadline) -> list[PageResult]:
    """Median of `runs` warm navigations per route, server and floor (a route that fails is noted)."""
    results = []
    for index, route in enumerate(routes):
        if deadline.expired():
            say(f"  time budget spent: {route} and later routes skipped")
            break
        result = PageResult(route)
        try:
            measure_route(driver, servers, floor_dir, f"floor-{index}", result, runs, deadline)
        except (BenchmarkError, WebDriverException) as err:
            result.error = str(err).strip()
            say(f"  {route}: {err}")
        first = f"first {ms(result.median_of(FIRST))}, " if servers.first else ""
        say(f"  {route}: {first}today {ms(result.median)} (floor {ms(result.floor)}, Dash floor "
            f"{ms(result.median_of(DASH_FLOOR))}, {result.graphs} charts, {len(result.runs)} runs)")
        results.append(result)
    return results


def measure_empty_dash(driver, dash_floor: str, runs: int) -> list[float]:
    """An empty Dash page: Dash's own start-up, the floor of any Dash page."""
    url = f"{dash_floor}/empty"
    time_navigation(driver, url)
    return [time_navigation(driver, url)[0] for _ in range(runs)]


def choose_district(driver, label: str, timeout: float = 10) -> None:
    """Choose the district in the filter's native select, as a user does."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    select = WebDriverWait(driver, timeout).until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#filter-district")))
    Select(select).select_by_visible_text(label)


def time_district_change(driver, name: str) -> float:
    """Choose a district on the open priority page; seconds from the choice to the page redrawn."""
    driver.execute_script("window.__kcsp.expect = arguments[0]; window.__kcsp.choice = null;", f"in {name}")
    choose_district(driver, name)
    deadline = Deadline(5)
    while (choice := driver.execute_script("return window.__kcsp.choice")) is None:
        if deadline.expired():
            raise BenchmarkError("the change of the district select was not seen")
        time.sleep(POLL_S)
    ready_at, _ = wait_ready(driver, after=choice)
    return ready_at - choice / 1000


SWAP_JS = """
const done = arguments[arguments.length - 1];
const next = JSON.parse(arguments[0]);
const start = performance.now();
Promise.all(next.map((f, i) => Plotly.react('g' + i, f.data, f.layout, f.config)))
  .then(() => requestAnimationFrame(() => setTimeout(() => done(performance.now() - start), 0)));
"""


def district_floor(driver, base_url: str, floor_dir: Path, floor_url: str, district: str, runs: int) -> list[float]:
    """The floor of a district change: the static floor page of the priority page's figures, redrawn
    with plotly's own update (Plotly.react, as dcc.Graph does) to the figures the page shows for
    `district`, timed in the page until the next frame after the last chart is drawn."""
    driver.get("about:blank")
    driver.get(base_url + DISTRICT_PAGE)
    wait_ready(driver)
    before = capture_figures(driver)
    time_district_change(driver, district)
    after = capture_figures(driver)
    if len(after) != len(before):
        raise BenchmarkError(f"the district change drew {len(after)} charts, not {len(before)}")
    page = f"{floor_url}/{write_floor_page(floor_dir, 'district-floor', DISTRICT_PAGE, before)}"
    payload = json.dumps([{k: f[k] for k in ("data", "layout", "config")} for f in after])
    times = []
    for _ in range(runs):
        time_navigation(driver, page, min_graphs=len(before))
        times.append(driver.execute_async_script(SWAP_JS, payload) / 1000)
    return times


def measure_district_changes_in_turn(driver, urls: dict[str, str], districts,
                                    deadline: Deadline) -> tuple[dict[str, list[float]], list[str]]:
    """Each district chosen on a freshly opened priority page of every server in turn (first, today),
    so neither is measured in a browser the other has already worn."""
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    for name in districts:
        for what, url in urls.items():
            if url and not deadline.expired():
                found, failed = measure_district_changes(driver, url, [name], deadline)
                times.setdefault(what, []).extend(found)
                errors += [f"{what}: {e}" for e in failed]
    return times, errors


def measure_district_changes(driver, base_url: str, districts, deadline: Deadline) -> tuple[list[float], list[str]]:
    """On a priority page, time each district change (one after another, without reloading)."""
    times: list[float] = []
    errors: list[str] = []
    reload = True
    for name in districts:
        if deadline.expired():
            break
        try:
            if reload:
                driver.get("about:blank")
                driver.get(base_url + DISTRICT_PAGE)
                wait_ready(driver)
            times.append(time_district_change(driver, name))
            reload = False
            say(f"  district -> {name}: {ms(times[-1])}")
        except (BenchmarkError, WebDriverException) as err:
            errors.append(f"{name}: {str(err).strip()}")
            reload = True
            say(f"  district -> {name}: {err}")
    return times, errors


NATIVE_FRAMES = {"(idle)": "(idle)", "(program)": "(browser native work: style, layout, paint)",
                 "(garbage collector)": "(garbage collection)"}


def script_name(url: str, function: str = "") -> str:
    """A profile frame's script, without its folder and Dash's version fingerprint."""
    if not url:
        return NATIVE_FRAMES.get(function, "(built-in DOM and JS functions)")
    name = url.split("?")[0].rsplit("/", 1)[-1]
    return re.sub(r"\.v\d[\w]*?m\d+", "", name)


def profile_district_change(driver, name: str) -> list[tuple[str, float]]:
    """CPU profile (DevTools Profiler) of the page's main thread during one district change.

    Returns (script, seconds) sorted by time: which code the browser was running.
    """
    driver.execute_cdp_cmd("Profiler.enable", {})
    driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": 1000})
    driver.execute_cdp_cmd("Profiler.start", {})
    try:
        time_district_change(driver, name)
    finally:
        profile = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
        driver.execute_cdp_cmd("Profiler.disable", {})
    names = {node["id"]: script_name(node["callFrame"]["url"], node["callFrame"]["functionName"])
             for node in profile["nodes"]}
    by_script: Counter = Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        by_script[names[node_id]] += delta / 1e6
    return by_script.most_common()


def ratio_text(result: PageResult, what: str) -> str:
    seconds = result.median_of(what)
    return f"{ms(seconds)} ({result.ratio_of(what):.2f}x)" if result.times.get(what) else "-"


def report(results: list[PageResult], district: dict[str, list[float]] | None = None,
           empty_dash: list[float] | None = None) -> list[str]:
    rows = []
    for r in results:
        rows.append([r.route, r.graphs, ratio_text(r, FIRST), ratio_text(r, TODAY), ms(r.floor),
                     ratio_text(r, DASH_FLOOR), ms(median(r.callbacks_done)),
                     verdict(r.ratio <= FLOOR_RATIO_TARGET) if r.runs else "not measured"])
    lines = [table(["route", "charts", "first (x floor)", "today (x floor)", "static floor", "Dash floor (x floor)",
                    "callbacks answered", f"target <= {FLOOR_RATIO_TARGET:g}x floor"], rows)]
    if empty_dash:
        lines.append(f"an empty Dash page: median {ms(median(empty_dash))} over {len(empty_dash)} navigations "
                     f"(min {ms(min(empty_dash))})")
    for what, times in (district or {}).items():
        if times:
            m = median(times)
            lines.append(f"district change on {DISTRICT_PAGE} ({what}): median {ms(m)} over {len(times)} changes "
                         f"(min {ms(min(times))}, max {ms(max(times))}); target < {DISTRICT_TARGET_S * 1000:.0f} ms: "
                         f"{verdict(m < DISTRICT_TARGET_S)}")
    return lines


@contextmanager
def servers(store_dir: Path, workdir: Path, floor_dir: Path, first_root: Path | None) -> Iterator[Servers]:
    """The dashboard today, the first measurement's commit (when given), the static floor and Dash's floor."""
    with contextlib.ExitStack() as stack:
        today = stack.enter_context(Gunicorn(store_dir, workdir))
        say(f"gunicorn (2 workers) answered after {today.startup_s:.1f} s on {today.url}")
        first = stack.enter_context(Gunicorn(store_dir, workdir, root=first_root)) if first_root else None
        if first:
            say(f"the first measurement's commit answered after {first.startup_s:.1f} s on {first.url}")
        bare = stack.enter_context(dash_floor(floor_dir, workdir))
        floor_url = stack.enter_context(static_server(floor_dir))
        yield Servers(today=today.url, floor=floor_url, dash_floor=bare.url, first=first.url if first else "")


def run(workdir: Path, *, runs: int, district_changes: int, budget_s: float, routes=ROUTES,
        store_dir: Path | None = None, first_root: Path | None = None) -> dict:
    """Start the servers on a demo store (unless one is given) and a browser; time every route."""
    deadline = Deadline(budget_s)
    if store_dir is None:
        store_dir = workdir / "store"
        say(f"building the demo store ({build_demo_store(store_dir):.1f} s)")
    floor_dir = prepare_floor_dir(workdir / "floor")
    profile: list[tuple[str, float]] = []
    with servers(store_dir, workdir, floor_dir, first_root) as urls, chromium() as driver:
        install_probe(driver)
        results = measure_routes(driver, urls, floor_dir, routes, runs, deadline)
        empty_dash = measure_empty_dash(driver, urls.dash_floor, runs)
        say("district changes (first measurement, then today, for each district):")
        district, errors = measure_district_changes_in_turn(driver, {FIRST: urls.first, TODAY: urls.today},
                                                            DISTRICTS[:district_changes], deadline)
        if district.get(TODAY) and not deadline.expired():
            try:
                profile = profile_district_change(driver, PROFILED_DISTRICT)
            except (BenchmarkError, WebDriverException) as err:
                say(f"  profile of a district change failed: {str(err).strip()}")
            try:
                district[FLOOR] = district_floor(driver, urls.today, floor_dir, urls.floor, PROFILED_DISTRICT,
                                                 max(district_changes, 3))
            except (BenchmarkError, WebDriverException) as err:
                say(f"  the floor of a district change failed: {str(err).strip()}")
    for line in report(results, district, empty_dash):
        say(line)
    if profile:
        total = sum(seconds for _, seconds in profile)
        say(f"where the browser's main thread spent one district change ({total:.1f} s sampled):")
        say(table(["script", "seconds", "share"],
                  [[name, f"{seconds:.2f}", f"{seconds / total:.0%}"] for name, seconds in profile[:8]]))
    return {"runs": runs, "pages": [r.as_dict() for r in results], "empty_dash_s": empty_dash,
            "empty_dash_median_s": median(empty_dash), "district_change_s": district.get(TODAY, []),
            "district_change_median_s": median(district.get(TODAY, [])),
            "district_change_first_s": district.get(FIRST, []),
            "district_change_first_median_s": median(district.get(FIRST, [])),
            "district_change_floor_s": district.get(FLOOR, []),
            "district_change_floor_median_s": median(district.get(FLOOR, [])),
            "district_change_errors": errors, "district_change_profile_s": profile}
