"""Keyboard only: every control of a page is reached with Tab, shows a visible focus, and works.

The Tab walk presses Tab from the top of the page until focus leaves the document or comes back
round, recording each element focused and whether a focus indicator is drawn (an outline at least
2px wide or a box shadow). It then checks that every visible control of the page was reached.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import assert_clean, wait_for_charts

MAX_STOPS = 400
CONTROLS = ("a[href], button:not([disabled]), select:not([disabled]), input:not([type=hidden]):not([disabled]), "
            "textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])")

GRID = ".ag-root-wrapper, [role=grid], [role=treegrid]"

FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
if (!el.dataset.kcspKey) el.dataset.kcspKey = String(Math.random()).slice(2);
const style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
const shadow = style.boxShadow && style.boxShadow !== 'none';
const text = (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 60);
return {key: el.dataset.kcspKey, tag: el.tagName, text: text, visible: outline || shadow,
        grid: !!el.closest(arguments[0])};
"""

EXPECTED = """
const GRID = arguments[1];
return Array.from(document.querySelectorAll(arguments[0]))
  .filter(el => el.offsetParent !== null && !el.closest('[inert], [aria-hidden=true], .modebar')
                && !(el.tagName !== 'SUMMARY' && el.closest('details:not([open])'))
                && !el.closest(GRID))
  .map(el => {
    if (!el.dataset.kcspKey) el.dataset.kcspKey = String(Math.random()).slice(2);
    return {key: el.dataset.kcspKey, tag: el.tagName,
            text: (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 60)};
  });
"""


def tab(duo, *keys) -> None:
    ActionChains(duo.driver).send_keys(*(keys or (Keys.TAB,))).perform()


def walk(duo) -> list[dict]:
    """Tab from the top of the page; the elements focused in order (each once)."""
    duo.driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    stops: list[dict] = []
    seen: set[str] = set()
    for _ in range(MAX_STOPS):
        tab(duo)
        focused = duo.driver.execute_script(FOCUSED, GRID)
        if focused is None:
            break
        if focused["key"] in seen:
            if focused["key"] == stops[-1]["key"]:
                continue
            break
        seen.add(focused["key"])
        stops.append(focused)
    return stops


def open_route(duo, path: str) -> None:
    duo.driver.get(duo.server_url + path)
    duo.wait_for_element("h1", timeout=15)
    wait_for_charts(duo)


@pytest.mark.parametrize("path", ["/", "/priority/road-safety?district=dover", "/district/thanet", "/actions",
                                  "/meeting", "/assessment", "/data"])
def test_every_control_is_reached_by_tab_with_a_visible_focus(served, path):
    open_route(served, path)
    stops = walk(served)
    assert stops and stops[0]["text"] == "Skip to main content"
    reached = {s["key"] for s in stops}
    missed = [f"{e['tag']} {e['text']!r}" for e in served.driver.execute_script(EXPECTED, CONTROLS, GRID)
              if e["key"] not in reached]
    if served.driver.find_elements("css selector", GRID):
        assert any(s["grid"] for s in stops), f"the table on {path} is not reached by Tab"
        assert sum(s["grid"] for s in stops) <= 2, f"Tab is trapped cell by cell in the table on {path}"

    assert not missed, f"not reachable by Tab on {path}: {missed}"
    unseen = [f"{s['tag']} {s['text']!r}" for s in stops if not s["visible"]]
    assert not unseen, f"no visible focus on {path}: {unseen}"
    assert_clean(served)


def focused_id(duo) -> str:
    return duo.driver.execute_script("return document.activeElement && document.activeElement.id")


def test_the_skip_link_moves_focus_to_the_main_content(served):
    open_route(served, "/")
    tab(served)
    tab(served, Keys.ENTER)
    assert focused_id(served) == "main"


def test_a_district_is_chosen_and_a_table_opened_with_the_keyboard_alone(served):
    open_route(served, "/priority/road-safety")
    served.driver.execute_script("document.getElementById('filter-district').focus()")
    tab(served, "Dover")
    served.wait_for_contains_text("#priority-trends-heading", "Dover", timeout=10)
    assert "district=dover" in served.driver.current_url
    summary = served.driver.find_element("css selector", "details.card-view-table summary")
    served.driver.execute_script("arguments[0].focus()", summary)
    tab(served, Keys.ENTER)
    assert summary.find_element("xpath", "..").get_attribute("open") is not None
    assert_clean(served)


def test_an_action_is_opened_from_the_table_with_arrow_keys_and_space(served):
    open_route(served, "/actions")
    served.wait_for_element(".actions-grid .ag-header-cell", timeout=15)
    served.driver.execute_script("document.querySelector('.actions-grid .ag-header-cell').focus()")
    tab(served, Keys.ARROW_DOWN, Keys.SPACE)
    WebDriverWait(served.driver, 10).until(
        lambda driver: not driver.find_element("id", "action-title").text.startswith("Select an action"))
    assert served.find_element("#action-history").text
    assert_clean(served)
