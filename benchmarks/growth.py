"""Store growth: page render and callback latency with 10 times the default observations.

The grown store is the demo store plus FACTOR - 1 copies of every indicator (new ids
``<id>-x2`` ... ``<id>-x10``, values scaled by 1.1 ... 1.9, their series breaks copied), so it
holds exactly FACTOR times the observations. The copies belong to a priority of their own, so the
pages measured show the same content as on the default store and any slowdown comes from the size
of the store, not from more charts on the page (the overview gains one card; /data lists every
indicator, so its content grows with the store). The store is written with the project's
``Store.write``, so it is validated like any other.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from benchmarks import pages, server
from benchmarks.common import Deadline, build_demo_store, chromium, say

FACTOR = 10
GROWTH_PRIORITY = "store-growth-copies"
ROUTES = ("/", "/priority/neighbourhood-crime-asb?district=maidstone", "/data")


def grow_tables(tables: dict[str, pd.DataFrame], factor: int = FACTOR) -> dict[str, pd.DataFrame]:
    """The tables with factor - 1 scaled copies of every indicator under a priority of their own."""
    indicators = tables["indicators"]
    observations = tables["observations"]
    breaks = tables["series_breaks"]
    priorities = tables["priorities"]
    new_priority = pd.DataFrame([{
        "priority_id": GROWTH_PRIORITY, "name": "Store growth copies (benchmark only)", "lead": "Benchmark",
        "sort_order": int(priorities["sort_order"].max()) + 1, "headline_indicator_id": None,
        "summary": "Scaled copies of every indicator, made by benchmarks/growth.py.", "lead_source": None,
    }])
    new_indicators, new_observations, new_breaks = [indicators], [observations], [breaks]
    for k in range(2, factor + 1):
        rename = {iid: f"{iid}-x{k}" for iid in indicators["indicator_id"]}
        ind = indicators.copy()
        ind["indicator_id"] = ind["indicator_id"].map(rename)
        ind["priority_id"] = GROWTH_PRIORITY
        ind["name"] = ind["name"] + f" (copy {k})"
        new_indicators.append(ind)
        obs = observations.copy()
        obs["indicator_id"] = obs["indicator_id"].map(rename)
        obs["value"] = (obs["value"].astype("float64") * (1 + (k - 1) / 10)).round().astype("int64")
        new_observations.append(obs)
        brk = breaks.copy()
        brk["indicator_id"] = brk["indicator_id"].map(rename)
        new_breaks.append(brk)
    return {
        **tables,
        "priorities": pd.concat([priorities, new_priority], ignore_index=True),
        "indicators": pd.concat(new_indicators, ignore_index=True),
        "observations": pd.concat(new_observations, ignore_index=True),
        "series_breaks": pd.concat(new_breaks, ignore_index=True),
    }


def build_grown_store(store_dir: Path, factor: int = FACTOR) -> tuple[int, int]:
    """Build the demo store in store_dir and grow it; return (default, grown) observation counts."""
    from kcsp.store import Store

    build_demo_store(store_dir)
    store = Store(store_dir)
    tables = store.read_all()
    before = len(tables["observations"])
    grown = grow_tables(tables, factor)
    Store(store_dir).write({name: grown[name] for name in ("priorities", "indicators", "observations",
                                                            "series_breaks")})
    return before, len(Store(store_dir).read("observations"))


def run(workdir: Path, *, runs: int, sessions: int, per_session: int, time_limit: float, repeats: int,
        budget_s: float, first_root: Path | None = None) -> dict:
    deadline = Deadline(budget_s)
    store_dir = workdir / "store-grown"
    start = time.perf_counter()
    before, after = build_grown_store(store_dir)
    say(f"grown store: {after:,} observations ({after / before:.1f}x the default {before:,}), "
        f"built in {time.perf_counter() - start:.1f} s")
    floor_dir = pages.prepare_floor_dir(workdir / "floor-grown")
    with pages.servers(store_dir, workdir, floor_dir, first_root) as urls, chromium() as driver:
        pages.install_probe(driver)
        results = pages.measure_routes(driver, urls, floor_dir, ROUTES, runs, deadline)
        district, _ = pages.measure_district_changes_in_turn(
            driver, {pages.FIRST: urls.first, pages.TODAY: urls.today}, pages.DISTRICTS[:2], deadline)
    for line in pages.report(results, district):
        say(line)
    callbacks = server.run(workdir, sessions=sessions, per_session=per_session, time_limit=time_limit,
                           repeats=repeats, budget_s=max(deadline.remaining(), 60), store_dir=store_dir,
                           first_root=first_root)
    return {"observations_default": before, "observations_grown": after,
            "pages": [r.as_dict() for r in results], "district_change": district, "server": callbacks}
