"""Import speed: rows per second through the police.uk importer, against parsing with pyarrow.

Two inputs:
- one real month, ``../shared/data/police-uk/2022-06/2022-06-kent-street.csv`` (skipped, with a
  note, when ../shared is missing);
- a synthetic 10-year Kent volume: 120 monthly ``YYYY-MM/YYYY-MM-kent-street.csv`` files of
  ROWS_PER_MONTH rows each (about 2 million rows), made by sampling real rows with a seeded
  generator and rewriting their Month. The real months are the pool when present, else the test
  fixtures (tests/fixtures/police_uk/).

Each input goes through ``kcsp.importers.police_uk.import_police_uk`` into a fresh, empty store
(so the time includes writing the reference tables and the observations, validated, under the
lock). For the 10-year volume the read-and-check step alone (``read_police_uk``) is timed too.
The floor is ``pyarrow.csv.read_csv`` of the same files (its default, multi-threaded reader).
A small import runs first, untimed, so one-off library loading is not counted.

Memory per import: the peak resident memory of one ``python -m kcsp import ...`` process (the
kernel's record of that child, from wait4), for a normal partner workbook (``import indicator``: 13
areas down, 10 years of months across), a normal plan workbook (``import plan``: the demonstration
store's actions) and, through both commands, the security review's dimension bomb (a workbook of a
few KB declaring A1:XFD1048576 and holding a cell at XFD1048576). A child past STOP_MB or STOP_S is
stopped and shown as such, so a reader that is not bounded cannot take the machine.
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import PYTHON, ROOT, say, table, verdict

SHARED_POLICE_UK = ROOT.parent / "shared" / "data" / "police-uk"
REAL_MONTH = "2022-06"
FIXTURES = ROOT / "tests" / "fixtures" / "police_uk"
MONTHS = 120
FIRST_MONTH = "2013-01"
ROWS_PER_MONTH = 16_700  # Kent Police publishes 14,500 to 18,400 rows a month: 120 x 16,700 = 2.0 million
TEN_YEARS_TARGET_S = 60.0
SEED = 6
MEMORY_TARGET_MB = 300
STOP_MB = 1024
STOP_S = 60.0
PARTNER_INDICATOR = "da-incidents"


def month_sequence(first: str, count: int) -> list[str]:
    """`count` consecutive months (YYYY-MM) from `first`."""
    year, month = (int(part) for part in first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def street_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*-street.csv"))


def read_rows(paths: Sequence[Path]) -> tuple[list[str], list[list[str]]]:
    """The header and every data row of some police.uk street files (all must share the header)."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            head = next(reader)
            if header is None:
                header = head
            elif head != header:
                raise ValueError(f"{path}: header differs from the first file's")
            rows.extend(row for row in reader if row)
    if header is None:
        raise ValueError("no source file given")
    return header, rows


def write_synthetic_months(out: Path, header: list[str], pool: Sequence[Sequence[str]], *, months: Sequence[str],
                           rows_per_month: int, seed: int = SEED) -> list[Path]:
    """One street file per month, of rows drawn (with replacement) from the pool, Month rewritten.

    Laid out as a data.police.uk download unpacks (YYYY-MM/YYYY-MM-kent-street.csv, CRLF).
    """
    month_col = header.index("Month")
    rng = random.Random(seed)
    paths = []
    for month in months:
        folder = out / month
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{month}-kent-street.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(header)
            for row in rng.choices(pool, k=rows_per_month):
                row = list(row)
                row[month_col] = month
                writer.writerow(row)
        paths.append(path)
    return paths


def pyarrow_rows(paths: Sequence[Path]) -> tuple[int, float]:
    """Rows and seconds to parse the files with pyarrow.csv.read_csv."""
    from pyarrow import csv as pacsv

    start = time.perf_counter()
    rows = sum(pacsv.read_csv(path).num_rows for path in paths)
    return rows, time.perf_counter() - start


def import_rows(store_dir: Path, paths: Sequence[Path]) -> tuple[int, float]:
    """Rows and seconds to import the files into a fresh store with the project's importer."""
    from kcsp.importers.police_uk import import_police_uk
    from kcsp.store import Store

    start = time.perf_counter()
    report = import_police_uk(Store(store_dir), list(paths))
    return report.rows_read, time.perf_counter() - start


def read_only_rows(paths: Sequence[Path]) -> tuple[int, float]:
    """Rows and seconds for the importer's read-and-check step alone (no store)."""
    from kcsp.importers.police_uk import read_police_uk

    start = time.perf_counter()
    _, report = read_police_uk(list(paths))
    return report.rows_read, time.perf_counter() - start


def _line(name: str, rows: int, seconds: float, floor_rows: int, floor_s: float) -> list[str]:
    rate = rows / seconds if seconds else 0.0
    floor_rate = floor_rows / floor_s if floor_s else 0.0
    ratio = seconds / floor_s if floor_s else float("nan")
    return [name, f"{rows:,}", f"{seconds:.2f} s", f"{rate:,.0f}", f"{floor_s:.2f} s", f"{floor_rate:,.0f}",
            f"{ratio:.1f}x"]


def run(workdir: Path, *, months: int = MONTHS, rows_per_month: int = ROWS_PER_MONTH,
        shared: Path = SHARED_POLICE_UK) -> dict:
    results: dict = {"months": months, "rows_per_month": rows_per_month}
    warm = FIXTURES / "2022-01-kent-street.csv"
    import_rows(workdir / "store-warm-up", [warm])
    pyarrow_rows([warm])

    rows, seconds = import_rows(workdir / "store-fixture", [warm])
    floor_rows, floor_s = pyarrow_rows([warm])
    lines = [_line("fixture file (fixed cost of an import)", rows, seconds, floor_rows, floor_s)]
    results["fixed_cost_seconds"] = seconds
    real = shared / REAL_MONTH / f"{REAL_MONTH}-kent-street.csv"
    if real.exists():
        rows, seconds = import_rows(workdir / "store-month", [real])
        floor_rows, floor_s = pyarrow_rows([real])
        lines.append(_line(f"one real month ({REAL_MONTH})", rows, seconds, floor_rows, floor_s))
        results["month"] = {"rows": rows, "seconds": seconds, "pyarrow_seconds": floor_s}
    else:
        say(f"{real} is missing (no ../shared): the real-month line is skipped")
        results["month"] = None

    pool_files = street_files(shared) if shared.is_dir() else []
    pool_name = f"{len(pool_files)} real months in {shared}"
    if not pool_files:
        pool_files, pool_name = street_files(FIXTURES), "the test fixtures"
    header, pool = read_rows(pool_files)
    start = time.perf_counter()
    paths = write_synthetic_months(workdir / "synthetic", header, pool,
                                   months=month_sequence(FIRST_MONTH, months), rows_per_month=rows_per_month)
    say(f"wrote {months} synthetic months x {rows_per_month:,} rows sampled from {pool_name} "
        f"in {time.perf_counter() - start:.1f} s")
    floor_rows, floor_s = pyarrow_rows(paths)
    read_rows_n, read_s = read_only_rows(paths)
    rows, seconds = import_rows(workdir / "store-synthetic", paths)
    label = f"synthetic {months} months"
    lines.append(_line(f"{label}: read and check only", read_rows_n, read_s, floor_rows, floor_s))
    lines.append(_line(f"{label}: full import", rows, seconds, floor_rows, floor_s))
    results["synthetic"] = {"rows": rows, "seconds": seconds, "read_only_seconds": read_s,
                            "pyarrow_rows": floor_rows, "pyarrow_seconds": floor_s}

    say(table(["input", "rows", "import", "rows/s", "pyarrow", "pyarrow rows/s", "ratio"], lines))
    ten_year_rows = MONTHS * ROWS_PER_MONTH
    if months == MONTHS and rows_per_month == ROWS_PER_MONTH:
        projected, scope = seconds, "measured"
    else:  # beyond the fixed cost of an import, time grows with the rows read
        fixed = min(results["fixed_cost_seconds"], seconds)
        projected = fixed + (seconds - fixed) * ten_year_rows / rows if rows else float("nan")
        scope = "projected from this shorter run"
    results["ten_years_seconds"] = projected
    say(f"10 years ({ten_year_rows:,} rows) imported in {projected:.1f} s ({scope}); "
        f"target < {TEN_YEARS_TARGET_S:.0f} s: {verdict(projected < TEN_YEARS_TARGET_S)}")
    results["ten_years_scope"] = scope

    results["memory"] = import_memory(workdir)
    say("memory per import (peak resident memory of the import process):")
    say(memory_table(results["memory"]))
    return results


def partner_workbook(path: Path, areas: Sequence[str], months: Sequence[str]) -> Path:
    """A monthly return as partners send it: a title, a source line, areas down and months across."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Return"
    sheet.append(["Domestic abuse incidents by district"])
    sheet.append(["Source: partner extract"])
    sheet.append([])
    sheet.append(["Area", *(f"{m}-01" for m in months)])
    for a, area in enumerate(areas):
        sheet.append([area, *(100 + a + m for m in range(len(months)))])
    book.save(path)
    return path


def plan_workbook(path: Path, store_dir: Path) -> Path:
    """The store's actions as a plan workbook (importing it changes nothing)."""
    from kcsp.store import Store

    actions = Store(store_dir).read("actions")
    columns = ["action_id", "priority_id", "title", "lead_agency", "owner_role", "themes", "areas", "start", "due",
               "classification"]
    frame = actions[columns].rename(columns={"action_id": "Ref"})
    for column in ("start", "due"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame.to_excel(path, sheet_name="Actions", index=False)
    return path


def dimension_bomb(path: Path) -> Path:
    """A one-row plan sheet that declares every cell a sheet can have and holds one at the last."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Actions"
    book.active.append(["Ref", "Title"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start = sheet.index("<dimension ")
    sheet = sheet[:start] + '<dimension ref="A1:XFD1048576"/>' + sheet[sheet.index("/>", start) + 2:]
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", far + "</sheetData>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


PEAK_WRAPPER = """
import runpy, sys
peak_file, target, *rest = sys.argv[1:]
module = target == "-m"
if module:
    target, *rest = rest
sys.argv = [target, *rest]
try:
    if module:
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        runpy.run_path(target, run_name="__main__")
finally:
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def child_peak(args: Sequence[str], *, stop_mb: float = STOP_MB, stop_s: float = STOP_S) -> dict:
    """One ``python -m MODULE ARGS`` or ``python SCRIPT ARGS`` run from the project root: its exit code,
    peak resident memory in MB, seconds, stdout and stderr, and why it was stopped (None when it ended
    by itself). The peak is the process's own high-water mark (VmHWM), read as it exits: the kernel's
    rusage of a child also counts the parent it was spawned from. A stopped child's is the last seen."""
    import psutil

    with tempfile.TemporaryDirectory(prefix="kcsp-peak-") as folder:
        peak_file, out_file, err_file = (Path(folder) / name for name in ("peak", "out", "err"))
        start = time.perf_counter()
        with open(out_file, "wb") as out, open(err_file, "wb") as err:
            proc = subprocess.Popen([PYTHON, "-c", PEAK_WRAPPER, str(peak_file), *args], cwd=ROOT,
                                    stdout=out, stderr=err)
        done, seen, stopped = threading.Event(), [0], []

        def watch() -> None:
            while not done.wait(0.02):
                try:
                    seen[0] = max(seen[0], psutil.Process(proc.pid).memory_info().rss)
                except psutil.Error:
                    return
                if seen[0] > stop_mb * 2**20 or time.perf_counter() - start > stop_s:
                    stopped.append(f"stopped past {stop_mb:,.0f} MB" if seen[0] > stop_mb * 2**20
                                   else f"stopped after {stop_s:.0f} s")
                    proc.kill()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        proc.wait()
        done.set()
        watcher.join()
        seconds = time.perf_counter() - start
        peak_kb = int(peak_file.read_text()) if peak_file.exists() and peak_file.read_text() else seen[0] / 1024
        return {"code": proc.returncode, "peak_mb": peak_kb / 1024, "seconds": seconds,
                "stopped": stopped[0] if stopped else None, "out": out_file.read_text(), "err": err_file.read_text()}


def import_memory(workdir: Path) -> list[dict]:
    """Peak memory of importing a normal workbook and the dimension bomb, by each command that reads XLSX."""
    from kcsp.demo import build_demo_tables
    from kcsp.store import Store

    folder = workdir / "memory"
    folder.mkdir(parents=True, exist_ok=True)
    demo = folder / "demo-store"
    tables = build_demo_tables()
    Store(demo).write(tables)
    areas = tables["areas"].loc[tables["areas"]["area_code"].str.match(r"E0[67]"), "area_name"]
    partner = partner_workbook(folder / "partner.xlsx", list(areas), month_sequence("2014-04", 120))
    plan = plan_workbook(folder / "plan.xlsx", demo)
    bomb = dimension_bomb(folder / "bomb.xlsx")
    cases = [("partner workbook, import indicator", partner, ["indicator", "--indicator", PARTNER_INDICATOR]),
             ("dimension bomb, import indicator", bomb, ["indicator", "--indicator", PARTNER_INDICATOR]),
             ("plan workbook, import plan", plan, ["plan"]),
             ("dimension bomb, import plan", bomb, ["plan"])]
    results = []
    for n, (label, path, command) in enumerate(cases):
        store = folder / f"store-{n}"
        shutil.copytree(demo, store, ignore=shutil.ignore_patterns(".*"))
        command = [command[0], "--store", str(store), *command[1:]]
        run = child_peak(["-m", "kcsp", "import", *command, str(path)])
        results.append({"input": label, "bytes": path.stat().st_size,
                        **{k: v for k, v in run.items() if k not in ("out", "err")}})
    return results


def memory_table(results: Sequence[dict]) -> str:
    lines = [[r["input"], f"{r['bytes']:,}", r["stopped"] or f"exit {r['code']}", f"{r['peak_mb']:.0f} MB",
              f"{r['seconds']:.1f} s", verdict(r["stopped"] is None and r["peak_mb"] < MEMORY_TARGET_MB)]
             for r in results]
    return table(["input", "file bytes", "ended", "peak RSS", "time", f"< {MEMORY_TARGET_MB} MB"], lines)
