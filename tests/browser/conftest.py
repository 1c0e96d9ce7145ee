"""Browser fixtures: the app served on a free loopback port (so several runs can share a machine)."""

from __future__ import annotations

import socket

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(dash_duo):
    import app

    dash_duo.start_server(app.app, port=free_port())
    return dash_duo


def assert_clean(duo) -> None:
    """No console error and no Dash error on the page."""
    assert duo.get_logs() == [], "browser console has errors"
    assert not duo.driver.find_elements("css selector", ".dash-fe-error__title, .dash-debug-menu__error")
