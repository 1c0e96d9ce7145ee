"""Shared pytest set-up: the project on sys.path, one demonstration store per session, and the
headless Chromium options for dash_duo (Debian's chromium and chromedriver)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support import PASSWORDS, chrome_options

SESSION_DIR = Path(tempfile.mkdtemp(prefix="kcsp-tests-"))
STORE_DIR = SESSION_DIR / "store"
USERS_FILE = SESSION_DIR / "users.csv"


def pytest_configure(config):
    os.environ["KCSP_DATA_DIR"] = str(STORE_DIR)
    os.environ["KCSP_USERS_FILE"] = str(USERS_FILE)
    os.environ["KCSP_SECRET_KEY"] = "test-secret-key"
    os.environ.pop("KCSP_REQUIRE_LOGIN", None)
    os.environ["KCSP_SIGN_IN_LIMIT"] = "1000 per minute"
    from kcsp.demo import build_demo_tables
    from kcsp.store import Store
    from kcsp.users import add_user

    Store(STORE_DIR).write(build_demo_tables())
    add_user(USERS_FILE, "admin", "admin", [], PASSWORDS["admin"])
    add_user(USERS_FILE, "da-lead", "lead", ["domestic-abuse"], PASSWORDS["da-lead"])
    add_user(USERS_FILE, "viewer", "viewer", [], PASSWORDS["viewer"])


def pytest_unconfigure(config):
    shutil.rmtree(SESSION_DIR, ignore_errors=True)


def pytest_setup_options():
    return chrome_options()


@pytest.fixture(scope="session")
def demo_store():
    from kcsp.store import Store

    return Store(STORE_DIR)


@pytest.fixture(scope="session")
def dataset(demo_store):
    from kcsp.queries import Dataset

    return Dataset(demo_store.read_all())


@pytest.fixture
def writable_store(tmp_path):
    """A private copy of the demo store with the app's runtime pointed at it, for tests that write.

    The session store stays untouched for every other test; the runtime is restored afterwards.
    The app is imported first because importing it configures the runtime from the environment.
    """
    import app  # noqa: F401
    from kcsp import runtime
    from kcsp.settings import load_settings
    from kcsp.store import Store

    root = tmp_path / "store"
    shutil.copytree(STORE_DIR, root, ignore=shutil.ignore_patterns(".*"))
    runtime.configure(load_settings({**os.environ, "KCSP_DATA_DIR": str(root)}))
    try:
        yield Store(root)
    finally:
        runtime.configure()
