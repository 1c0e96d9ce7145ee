"""The layers, held by the import contracts in pyproject.toml: they hold on the code, and each one
fails on a deliberate violation of it (the packages copied to a temporary folder, one import added).

The page-independence contract names every module in pages/, so a new page is independent too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support import ROOT

CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}

VIOLATIONS = {
    "app-layers": ("components/brag.py", "import pages.overview"),
    "domain-no-web": ("kcsp/stats.py", "import flask"),
    "domain-layers": ("kcsp/stats.py", "import kcsp.queries"),
    "web-no-dash": ("web/api.py", "import components.brag"),
    "serving-above": ("kcsp/meetings.py", "import serving.pack"),
    "serving-no-dash": ("serving/routes.py", "import dash"),
    "components-no-data": ("components/brag.py", "import kcsp.store"),
    "pages-independent": ("pages/audit.py", "import pages.help"),
}
"""One import per contract that breaks it: added at the end of the module named."""


def lint_imports(folder: Path, *contracts: str) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    args = [str(lint if lint.exists() else "lint-imports"), "--no-cache", "--no-logo"]
    args += [f"--contract={c}" for c in contracts]
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The root packages and pyproject.toml, copied (sources only)."""
    folder = tmp_path_factory.mktemp("layers")
    for package in CONFIG["root_packages"]:
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_every_contract_holds_on_the_code():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_contract_has_a_deliberate_violation():
    assert set(VIOLATIONS) == set(CONTRACTS)


@pytest.mark.parametrize("contract", sorted(VIOLATIONS))
def test_the_contract_fails_on_a_deliberate_violation(copy, contract):
    path, line = VIOLATIONS[contract]
    module = copy / path
    original = module.read_text()
    assert lint_imports(copy, contract).returncode == 0
    module.write_text(original + f"\n{line}\n")
    try:
        done = lint_imports(copy, contract)
    finally:
        module.write_text(original)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout


def test_the_pages_contract_names_every_page():
    pages = {f"pages.{p.stem}" for p in (ROOT / "pages").glob("*.py") if p.stem != "__init__"}
    assert set(CONTRACTS["pages-independent"]["modules"]) == pages


def test_only_the_program_entry_point_joins_serving_to_the_command_line():
    assert CONTRACTS["serving-above"]["ignore_imports"] == ["kcsp.__main__ -> serving.cli"]
    help_text = subprocess.run([sys.executable, "-m", "kcsp", "--help"], cwd=ROOT, capture_output=True, text=True,
                               timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert "meeting-pack" in help_text and "rounds" in help_text
