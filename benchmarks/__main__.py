"""Run the benchmarks: ``python -m benchmarks [--quick] [--only PART ...] [--json FILE]``.

Parts: ``pages`` (render time in headless Chromium against the static plotly floor, and a district
change), ``server`` (callback latency with 20 concurrent sessions, memory per worker), ``import``
(police.uk rows per second against pyarrow), ``growth`` (pages and callbacks with 10x the
observations) and ``signals`` (false signals and detection of the verdicts on simulated series; no
server, no browser). Each part starts what it needs on 127.0.0.1 in a temporary folder and stops it
again, also on Ctrl-C. They measure and print; they never fail a build. See benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import growth, imports, pages, server, signals
from benchmarks.common import (
    FIRST_MEASUREMENT,
    ROOT,
    checkout,
    median,
    ms,
    raise_on_sigterm,
    say,
    table,
    verdict,
    write_json,
)

PARTS = ("pages", "server", "import", "growth", "signals")
FIRST_PARTS = ("pages", "server", "growth")
"""The parts that also measure the first measurement's checkout."""
FULL = {"runs": 7, "district_changes": 6, "per_session": server.PER_SESSION, "time_limit": server.TIME_LIMIT_S,
        "repeats": 3, "months": imports.MONTHS, "growth_runs": 5, "signals": signals.FULL}
QUICK = {"runs": 2, "district_changes": 2, "per_session": 10, "time_limit": 10, "repeats": 1, "months": 12,
         "growth_runs": 2, "signals": signals.QUICK}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="a short run: fewer repetitions, 12 synthetic months instead of 120, "
                             f"{signals.QUICK['replicates']} simulated datasets instead of "
                             f"{signals.FULL['replicates']}")
    parser.add_argument("--only", action="append", choices=PARTS, metavar="PART",
                        help=f"run only this part (repeatable): {', '.join(PARTS)}")
    parser.add_argument("--runs", type=int, help="navigations per route (default 7, quick 2)")
    parser.add_argument("--sessions", type=int, default=server.SESSIONS, help="concurrent sessions (default 20)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (stores, logs, floors)")
    parser.add_argument("--first", default=FIRST_MEASUREMENT, metavar="COMMIT",
                        help=f"also measure this commit in the same run, side by side (default {FIRST_MEASUREMENT}, "
                             "the first measurement of the speed issue); 'none' to skip")
    return parser.parse_args(argv)


def machine() -> dict:
    import psutil

    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
        except OSError:
            return "?"

    import dash
    import plotly

    return {
        "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(), "python": platform.python_version(),
        "dash": dash.__version__, "plotly": plotly.__version__,
        "chromium": version([shutil.which("chromium") or "chromium", "--version"]).splitlines()[-1:],
        "commit": version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def _page_rows(prefix: str, page_results: list[dict]) -> list[list[str]]:
    target = f"<= {pages.FLOOR_RATIO_TARGET:g}x floor"
    rows = []
    for r in page_results:
        first = f"{ms(r['first_s'])}, {r['first_ratio']:.2f}x" if not math.isnan(r.get("first_s", math.nan)) else "-"
        rows.append([f"{prefix}page {r['route']}", target, first,
                     f"{ms(r['median_s'])}, {r['ratio']:.2f}x floor ({ms(r['floor_s'])}; Dash floor "
                     f"{ms(r['dash_floor_s'])})", verdict(r["ratio"] <= pages.FLOOR_RATIO_TARGET, bool(r["runs_s"]))])
    return rows


def _district_row(prefix: str, first: list[float], today: list[float], floor: list[float] | None = None) -> list[str]:
    m = median(today)
    floor_text = f" (static floor {ms(median(floor))})" if floor else ""
    return [f"{prefix}district change", f"< {pages.DISTRICT_TARGET_S * 1000:.0f} ms",
            ms(median(first)) if first else "-", ms(m) + floor_text, verdict(m < pages.DISTRICT_TARGET_S, bool(today))]


def _server_rows(prefix: str, s: dict) -> list[list[str]]:
    target = f"< {server.P95_TARGET_S * 1000:.0f} ms"
    first = s.get("first", {})
    c, only = s["concurrent"], s["concurrent_callbacks_only"]
    floor = s.get("dash_floor", {}).get("concurrent_callbacks_only", {})
    rows = [
        [f"{prefix}callback p95, {c['sessions']} sessions", target,
         ms(first["concurrent_callbacks_only"]["p95_s"]) if first else "-",
         f"{ms(only['p95_s'])} ({c['errors']} errors; Dash floor {ms(floor.get('p95_s', math.nan))})",
         verdict(only["p95_s"] < server.P95_TARGET_S and not c["errors"])],
        [f"{prefix}page requests p95 (layouts and callbacks)", target,
         ms(first["concurrent"]["p95_s"]) if first else "-", ms(c["p95_s"]),
         verdict(c["p95_s"] < server.P95_TARGET_S and not c["errors"])],
    ]
    worst = max((w["rss_mb"] for w in s["workers"]), default=math.nan)
    first_worst = max((w["rss_mb"] for w in first.get("workers", [])), default=math.nan)
    rows.append([f"{prefix}memory per worker (RSS)", f"< {server.WORKER_MB_TARGET} MB",
                 f"{first_worst:.0f} MB" if first else "-", f"{worst:.0f} MB",
                 verdict(worst < server.WORKER_MB_TARGET)])
    return rows


def summary(results: dict) -> list[list[str]]:
    """Every target with the first measurement and today's figure."""
    rows = []
    if results.get("pages") and "error" not in results["pages"]:
        p = results["pages"]
        rows += _page_rows("", p["pages"])
        rows.append(_district_row("", p.get("district_change_first_s", []), p["district_change_s"],
                                  p.get("district_change_floor_s")))
    if results.get("server") and "error" not in results["server"]:
        rows += _server_rows("", results["server"])
    if results.get("import") and "error" not in results["import"]:
        i = results["import"]
        rows.append(["10 years imported", f"< {imports.TEN_YEARS_TARGET_S:.0f} s", "-",
                     f"{i['ten_years_seconds']:.1f} s ({i['ten_years_scope']})",
                     verdict(i["ten_years_seconds"] < imports.TEN_YEARS_TARGET_S)])
    if results.get("growth") and "error" not in results["growth"]:
        g = results["growth"]
        rows += _page_rows("10x store: ", g["pages"])
        rows.append(_district_row("10x store: ", g["district_change"].get("first", []),
                                  g["district_change"].get("today", [])))
        rows += _server_rows("10x store: ", g["server"])
    if results.get("signals") and "error" not in results["signals"]:
        rows += _signal_rows(results["signals"])
    return rows


def _signal_rows(s: dict) -> list[list[str]]:
    rows = []
    for sc in s["scenarios"]:
        rates = ", ".join(f"{kind} {sc['rates'][kind] * 100:.1f}%" for kind in signals.JUDGED_KINDS)
        rows.append([f"false signals per area-year, {sc['scenario']}", f"<= {signals.TARGET:.0%} each", "-",
                     f"{rates} (old test {sc['rates']['old'] * 100:.1f}%)", verdict(all(sc["meets"].values()))])
    return rows


def growth_comparison(results: dict) -> list[list[str]]:
    if not (results.get("pages") and results.get("growth")) or any(
            "error" in results[part] for part in ("pages", "growth")):
        return []
    default = {r["route"]: r["median_s"] for r in results["pages"]["pages"]}
    rows = []
    for r in results["growth"]["pages"]:
        if r["route"] in default:
            rows.append([r["route"], ms(default[r["route"]]), ms(r["median_s"]),
                         f"{r['median_s'] / default[r['route']]:.2f}x"])
    return rows


TITLES = {
    "pages": "page render (headless Chromium, 1280x720, warm cache)",
    "server": "callbacks: {sessions} concurrent sessions against gunicorn (2 workers)",
    "import": "police.uk import",
    "growth": "store growth ({factor}x observations)",
    "signals": "false signals and detection of the verdicts (simulated series, no real change)",
}


def run_part(part: str, workdir: Path, settings: dict, sessions: int, first_root: Path | None) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    if part == "pages":
        return pages.run(workdir, runs=settings["runs"], district_changes=settings["district_changes"],
                         budget_s=1800, first_root=first_root)
    if part == "server":
        return server.run(workdir, sessions=sessions, per_session=settings["per_session"],
                          time_limit=settings["time_limit"], repeats=settings["repeats"], budget_s=600,
                          first_root=first_root)
    if part == "import":
        return imports.run(workdir, months=settings["months"])
    if part == "signals":
        return signals.run(**settings["signals"])
    return growth.run(workdir, runs=settings["growth_runs"], sessions=sessions, per_session=settings["per_session"],
                      time_limit=settings["time_limit"], repeats=settings["repeats"], budget_s=1200,
                      first_root=first_root)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_on_sigterm()
    settings = dict(QUICK if args.quick else FULL)
    if args.runs:
        settings["runs"] = settings["growth_runs"] = args.runs
    parts = args.only or list(PARTS)
    info = machine()
    say(f"KCSP benchmarks ({'quick' if args.quick else 'full'} run): {', '.join(parts)}")
    say(f"machine: {info['cpus']} CPUs, {info['memory_gb']} GB, {info['platform']}; load average "
        f"{info['load_average_start']}; Python {info['python']}, Dash {info['dash']}, plotly {info['plotly']}, "
        f"{' '.join(info['chromium'])}; commit {info['commit']}")
    results: dict = {"machine": info, "quick": args.quick, "settings": settings}
    workdir = Path(tempfile.mkdtemp(prefix="kcsp-bench-"))
    started = time.perf_counter()
    stack = contextlib.ExitStack()
    try:
        first_root = None
        if args.first != "none" and any(part in FIRST_PARTS for part in parts):
            first_root = stack.enter_context(checkout(args.first, workdir))
            say(f"first measurement: commit {args.first}, checked out in {first_root}")
        results["first_commit"] = None if first_root is None else args.first
        for part in parts:
            say(f"\n== {TITLES[part].format(sessions=args.sessions, factor=growth.FACTOR)} ==")
            try:
                results[part] = run_part(part, workdir / part, settings, args.sessions, first_root)
            except Exception as err:  # one part failing does not stop the others
                say(f"{part} could not be measured: {err.__class__.__name__}: {err}")
                results[part] = {"error": f"{err.__class__.__name__}: {err}"}
    except KeyboardInterrupt:
        say("\ninterrupted: servers and browsers stopped, temporary files removed")
        return 130
    finally:
        stack.close()
        if args.keep:
            say(f"temporary files kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["elapsed_s"] = time.perf_counter() - started
    comparison = growth_comparison(results)
    if comparison:
        say("\n== default store against 10x store (page medians) ==")
        say(table(["route", "default", "10x store", "change"], comparison))
    say(f"\n== targets (load average at the end {info['load_average_end']}; "
        f"{results['elapsed_s'] / 60:.1f} min) ==")
    say(table(["measure", "target", "first measurement", "today", ""], summary(results)))
    if args.json:
        write_json(args.json, results)
        say(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
