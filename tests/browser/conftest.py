"""Browser fixtures: one app server and one headless Chromium for the whole session.

Starting Chromium and a server per test cost seconds each; sharing them keeps the browser suite
fast. Each test still starts clean: no cookies, a 1280x720 window, and console logs read from
its own start only.
"""

from __future__ import annotations

import time

import pytest
from dash.testing.browser import Browser

from serving.server import in_thread
from tests.support import chrome_options


@pytest.fixture(scope="session")
def live_server():
    import app

    with in_thread(app.server) as running:
        yield running.url


@pytest.fixture(scope="session")
def browser(live_server):
    duo = Browser("chrome", headless=True, options=[chrome_options()], percy_run=False,
                  percy_finalize=False, wait_timeout=15)
    duo.server_url = live_server
    yield duo
    duo.driver.quit()


@pytest.fixture
def served(browser, live_server):
    """The shared browser, reset for this test."""
    driver = browser.driver
    driver.get(live_server + "/healthz")
    driver.delete_all_cookies()
    driver.set_window_size(1280, 720)
    driver.get_log("browser")
    browser.reset_log_timestamp()
    return browser


def assert_clean(duo) -> None:
    """No console error and no Dash error on the page."""
    assert duo.get_logs() == [], "browser console has errors"
    errors = duo.driver.execute_script(
        "return document.querySelectorAll('.dash-fe-error__title, .dash-debug-menu__error').length")
    assert errors == 0


CHARTS_DRAWN = """
return Array.from(document.querySelectorAll('.dash-graph'))
    .filter(g => g.offsetParent !== null)
    .every(g => g.querySelector('.main-svg'));
"""


def wait_for_charts(duo, timeout: float = 20) -> None:
    """Wait until Dash is idle and every visible chart has been drawn."""
    deadline = time.monotonic() + timeout
    while duo.driver.execute_script(
            "return document.querySelector('[data-dash-is-loading=true], ._dash-loading') !== null"
            ) or not duo.driver.execute_script(CHARTS_DRAWN):
        if time.monotonic() > deadline:
            raise AssertionError("charts were not drawn in time")
        time.sleep(0.05)


def projector(duo) -> None:
    """A 1280 x 720 viewport, as a projector shows it."""
    duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})


def wait_until(check, timeout=30, message="condition not met"):
    """Poll check() until it is true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(message)
