"""Browser fixtures: the app served on a free loopback port (so several runs can share a machine)."""

from __future__ import annotations

import socket
import time

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


CHARTS_DRAWN = """
return Array.from(document.querySelectorAll('.dash-graph'))
    .filter(g => g.offsetParent !== null)
    .every(g => g.querySelector('.main-svg'));
"""


def wait_for_charts(duo, timeout: float = 20) -> None:
    """Wait until every visible chart has been drawn (the page stops moving under the pointer)."""
    duo.wait_for_no_elements("._dash-loading", timeout=timeout)
    deadline = time.monotonic() + timeout
    while not duo.driver.execute_script(CHARTS_DRAWN):
        if time.monotonic() > deadline:
            raise AssertionError("charts were not drawn in time")
        time.sleep(0.1)
