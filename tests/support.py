"""Shared test helpers: the test accounts, Chromium options, signing in through the real form, and
gunicorn as deployed on a private copy of a store."""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PASSWORDS = {"admin": "admin-pass-1", "da-lead": "lead-pass-1", "viewer": "viewer-pass-1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def basic(name: str, password: str | None = None) -> dict:
    """HTTP Basic credentials for a test account (its own password unless one is given)."""
    token = base64.b64encode(f"{name}:{PASSWORDS[name] if password is None else password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def chrome_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,720",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run"):
        options.add_argument(arg)
    return options


def csrf_token(client, path: str = "/login") -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, name: str, password: str | None = None, **extra):
    """POST the sign-in form as a browser would (with its CSRF token)."""
    data = {"name": name, "password": PASSWORDS[name] if password is None else password,
            "csrf_token": csrf_token(client), **extra}
    return client.post("/login", data=data)


def sign_out(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})


@contextmanager
def gunicorn_on_a_copy(base: Path, store, *, workers: int = 1, env: dict[str, str] | None = None,
                       **kwargs) -> Iterator:
    """gunicorn as deployed (the project's gunicorn.conf.py) on a private copy of `store` in `base`, with
    an auth database of its own, the test accounts and no sign-in wall; `env` adds to or overrides that."""
    from kcsp import runtime
    from serving import server
    from tests.fixture_store import copy_store

    root = copy_store(store, base / "store").root
    full = {"KCSP_REQUIRE_LOGIN": "0", "KCSP_AUTH_DB": str(base / "auth.sqlite3"),
            "KCSP_USERS_FILE": str(runtime.settings().users_file), **(env or {})}
    with server.gunicorn(root, workers=workers, env=full, log_path=base / "gunicorn.log", **kwargs) as running:
        yield running


def walk(node):
    """Every component under a Dash layout node (depth first)."""
    if node is None or isinstance(node, str | int | float):
        return
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
        return
    yield node
    yield from walk(getattr(node, "children", None))


def text(node) -> str:
    """The words of a Dash layout node and everything under it."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return " ".join(text(n) for n in node)
    return text(getattr(node, "children", None))
