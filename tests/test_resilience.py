"""Resilience: an import killed with SIGKILL at any moment leaves a valid store, old or new."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kcsp.demo import build_demo_tables
from kcsp.store import Store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "police_uk" / "2022-01-kent-street.csv"


def synthetic_months(folder: Path, months: int, rows_per_month: int) -> list[Path]:
    """Real fixture rows resampled into several months of street files."""
    with open(FIXTURE, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    rng = random.Random(7)
    paths = []
    for i in range(months):
        month = f"2023-{i + 2:02d}"
        path = folder / month / f"{month}-kent-street.csv"
        path.parent.mkdir(parents=True)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(header)
            for _ in range(rows_per_month):
                row = list(rng.choice(rows))
                row[1] = month
                writer.writerow(row)
        paths.append(path)
    return paths


def observations(store_dir: Path) -> pd.DataFrame:
    return Store(store_dir).read("observations").sort_values(["indicator_id", "area_code", "period"]) \
        .reset_index(drop=True)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    base = tmp_path_factory.mktemp("kill")
    store_dir = base / "store"
    Store(store_dir).write(build_demo_tables(pd.Timestamp("2026-11-23")))
    inputs = synthetic_months(base / "inputs", months=6, rows_per_month=15000)
    old = observations(store_dir)
    done = base / "done"
    subprocess.run([sys.executable, "-m", "kcsp", "import", "police-uk", "--store", str(done), *map(str, inputs)],
                   cwd=ROOT, check=True, capture_output=True, env={**os.environ, "KCSP_DATA_DIR": str(done)})
    return {"store": store_dir, "inputs": inputs, "old": old, "base": base}


@pytest.mark.parametrize("delay", [0.5, 1.5, 2.2, 3.5])
def test_kill_9_during_import_leaves_a_valid_store(scenario, delay, tmp_path):
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(scenario["store"]), str(store_dir)], check=True)
    proc = subprocess.Popen([sys.executable, "-m", "kcsp", "import", "police-uk", "--store", str(store_dir),
                             *map(str, scenario["inputs"])], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = Store(store_dir)
    assert store.validate() == []
    now = observations(store_dir)
    new_months = now["period"] >= pd.Timestamp("2023-02-01")
    police = now["indicator_id"].str.startswith("police-uk-")
    imported = now[new_months & police]
    if imported.empty:
        pd.testing.assert_frame_equal(now, scenario["old"])
    else:
        assert int(imported["value"].sum()) == 6 * 15000
        pd.testing.assert_frame_equal(now[~(new_months & police)].reset_index(drop=True), scenario["old"])


WRITER = """
import sys
import pandas as pd
from kcsp.store import Store
store = Store(sys.argv[1])
frames = [pd.read_parquet(sys.argv[2]), pd.read_parquet(sys.argv[3])]
i = 0
while True:
    store.write({"observations": frames[i % 2]})
    i += 1
"""


@pytest.mark.parametrize("seed", range(5))
def test_kill_9_while_writing_continuously_never_tears_a_file(scenario, seed, tmp_path):
    """A writer replacing the file in a tight loop is killed at a random moment: the file is one
    version or the other, whole."""
    store_dir = tmp_path / "store"
    subprocess.run(["cp", "-a", str(scenario["store"]), str(store_dir)], check=True)
    first = scenario["old"]
    second = first.assign(value=first["value"] + 1)
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    first.to_parquet(paths[0])
    second.to_parquet(paths[1])
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(store_dir), *map(str, paths)], cwd=ROOT)
    time.sleep(1.0 + random.Random(seed).random())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    now = observations(store_dir)
    assert now.equals(first) or now.equals(second)
    assert Store(store_dir).validate() == []
