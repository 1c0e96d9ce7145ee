"""Page render in headless Chromium against the floor of the same figures drawn from static HTML.

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
and timed with the same probe in the same browser. Both are timed warm (after one untimed visit),
as a user moving between pages sees them; each navigation starts from about:blank.

Also printed per route, from the browser's Resource Timing: when the first callback request left
(how long Dash took to start), when the last callback answer arrived, and the largest callback
answer (the page's layout) in KB.

District change: on a priority page, the district is chosen in the native ``#filter-district``
select (as the keyboard or a click does, firing its ``change`` event); the time runs from that event
(its timestamp) to the page ready with "in <district>" in a heading. One more
change is run under the DevTools CPU profiler and the time is split by script.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
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
PAGE_TARGET_S = 1.0
FLOOR_RATIO_TARGET = 1.5
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


@dataclass
class PageResult:
    route: str
    runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)
    graphs: int = 0
    callbacks_sent: list[float] = field(default_factory=list)
    callbacks_done: list[float] = field(default_factory=list)
    largest_response_kb: float = 0.0
    error: str | None = None

    @property
    def median(self) -> float:
        return median(self.runs)

    @property
    def floor(self) -> float:
        return median(self.floor_runs)

    @property
    def ratio(self) -> float:
        return self.median / self.floor if self.floor_runs and self.floor else float("nan")

    def as_dict(self) -> dict:
        return {"route": self.route, "median_s": self.median, "floor_s": self.floor, "ratio": self.ratio,
                "graphs": self.graphs, "runs_s": self.runs, "floor_runs_s": self.floor_runs,
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
    divs = "\n".join(f'<div class="dash-graph" id="g{i}" style="width: {max(int(f["width"]), 100)}px"></div>'
                     for i, f in enumerate(figures))
    payload = json.dumps([{k: f[k] for k in ("data", "layout", "config")} for f in figures]).replace("</", "<\\/")
    html = FLOOR_HTML.format(title=route.replace("<", ""), divs=divs, figures=payload)
    (directory / name).write_text(html, encoding="utf-8")
    return name


def measure_route(driver, url: str, floor_dir: Path, floor_url: str, name: str, result: PageResult, runs: int,
                  deadline: Deadline) -> None:
    """Fill result with `runs` warm navigations to url and to its floor page, interleaved."""
    _, result.graphs = time_navigation(driver, url)  # warm-up: caches, and how many charts the page draws
    figures = capture_figures(driver)
    floor = f"{floor_url}/{write_floor_page(floor_dir, name, result.route, figures)}"
    time_navigation(driver, floor, min_graphs=len(figures))
    for _ in range(runs):
        if deadline.expired():
            break
        seconds, _ = time_navigation(driver, url, min_graphs=result.graphs)
        result.runs.append(seconds)
        calls = driver.execute_script(CALLBACKS_JS)
        if calls is not None:
            result.callbacks_sent.append(calls["sent"] / 1000)
            result.callbacks_done.append(calls["done"] / 1000)
            result.largest_response_kb = calls["bytes"] / 1024
        seconds, _ = time_navigation(driver, floor, min_graphs=len(figures))
        result.floor_runs.append(seconds)


def measure_routes(driver, base_url: str, floor_dir: Path, floor_url: str, routes, runs: int,
                   deadline: Deadline) -> list[PageResult]:
    """Median of `runs` warm navigations per route, and of its floor page (a route that fails is noted)."""
    results = []
    for index, route in enumerate(routes):
        if deadline.expired():
            say(f"  time budget spent: {route} and later routes skipped")
            break
        result = PageResult(route)
        try:
            measure_route(driver, base_url + route, floor_dir, floor_url, f"floor-{index}.html", result, runs,
                          deadline)
        except (BenchmarkError, WebDriverException) as err:
            result.error = str(err).strip()
            say(f"  {route}: {err}")
        say(f"  {route}: {ms(result.median)} (floor {ms(result.floor)}, {result.graphs} charts, "
            f"{len(result.runs)} runs)")
        results.append(result)
    return results


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


def report(results: list[PageResult], district_times: list[float] | None) -> list[str]:
    rows = []
    for r in results:
        ok = r.median < PAGE_TARGET_S and r.ratio <= FLOOR_RATIO_TARGET
        rows.append([r.route, r.graphs, ms(r.median), ms(median(r.callbacks_sent)), ms(median(r.callbacks_done)),
                     f"{r.largest_response_kb:.0f}", ms(r.floor), f"{r.ratio:.2f}x",
                     verdict(ok) if r.runs else "not measured"])
    lines = [table(["route", "charts", "median", "1st callback sent", "callbacks answered", "page KB", "floor",
                    "ratio", f"target (<{PAGE_TARGET_S:g} s, <={FLOOR_RATIO_TARGET:g}x floor)"], rows)]
    if district_times:
        m = median(district_times)
        lines.append(f"district change on {DISTRICT_PAGE}: median {ms(m)} over {len(district_times)} changes "
                     f"(min {ms(min(district_times))}, max {ms(max(district_times))}); "
                     f"target < {DISTRICT_TARGET_S * 1000:.0f} ms: {verdict(m < DISTRICT_TARGET_S)}")
    return lines


def run(workdir: Path, *, runs: int, district_changes: int, budget_s: float, routes=ROUTES,
        store_dir: Path | None = None) -> dict:
    """Start gunicorn on a demo store (unless one is given) and a browser; time every route."""
    deadline = Deadline(budget_s)
    if store_dir is None:
        store_dir = workdir / "store"
        say(f"building the demo store ({build_demo_store(store_dir):.1f} s)")
    floor_dir = prepare_floor_dir(workdir / "floor")
    with Gunicorn(store_dir, workdir) as server, static_server(floor_dir) as floor_url, chromium() as driver:
        say(f"gunicorn (2 workers) answered after {server.startup_s:.1f} s on {server.url}")
        install_probe(driver)
        results = measure_routes(driver, server.url, floor_dir, floor_url, routes, runs, deadline)
        district_times, district_errors = measure_district_changes(driver, server.url,
                                                                   DISTRICTS[:district_changes], deadline)
        profile = []
        if district_times and not deadline.expired():
            try:
                profile = profile_district_change(driver, PROFILED_DISTRICT)
            except (BenchmarkError, WebDriverException) as err:
                say(f"  profile of a district change failed: {str(err).strip()}")
    for line in report(results, district_times):
        say(line)
    if profile:
        total = sum(seconds for _, seconds in profile)
        say(f"where the browser's main thread spent one district change ({total:.1f} s sampled):")
        say(table(["script", "seconds", "share"],
                  [[name, f"{seconds:.2f}", f"{seconds / total:.0%}"] for name, seconds in profile[:8]]))
    return {"runs": runs, "pages": [r.as_dict() for r in results], "district_change_s": district_times,
            "district_change_errors": district_errors, "district_change_profile_s": profile,
            "district_change_median_s": median(district_times), "server_startup_s": server.startup_s}
