"""Committee mode in headless Chromium at 1280x720: large type, no horizontal scroll, arrow keys
step through the priorities keeping the mode and the district, and the toggle keeps the query."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import assert_clean, projector, wait_until

PAGES = ["/", "/priority/road-safety", "/priority/neighbourhood-crime-asb?district=maidstone",
         "/meeting?meeting=2025-11-20", "/assessment", "/district/tonbridge-and-malling", "/actions"]




def where(duo) -> tuple[str, dict]:
    url = urlparse(duo.driver.current_url)
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


def open_page(duo, path: str) -> None:
    duo.driver.get(duo.server_url + path)
    duo.wait_for_element("h1", timeout=30)
    duo.wait_for_no_elements("._dash-loading", timeout=30)
    wait_until(lambda: duo.driver.find_element("id", "present-toggle").get_attribute("href"), 10)


def press(duo, key) -> None:
    ActionChains(duo.driver).send_keys(key).perform()


def test_committee_mode_reads_on_a_projector(served):
    projector(served)
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        open_page(served, f"{path}{sep}present=1")
        wait_until(lambda: "present-mode" in served.find_element("#shell").get_attribute("class"), 10,
                   f"{path}: committee mode not applied")
        time.sleep(0.5)
        size = served.driver.execute_script("return parseFloat(getComputedStyle(document.body).fontSize)")
        text_size = served.driver.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('#main h1 ~ p, #main p')).fontSize)")
        widths = served.driver.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert size >= 20 and text_size >= 20, f"{path}: body text is {size}px / {text_size}px"
        assert widths[0] <= widths[1], f"{path}: scrolls sideways ({widths[0]} > {widths[1]})"
        assert not served.find_element(".kcsp-header").is_displayed(), f"{path}: navigation still shown"
        assert served.find_element("#committee-hint").is_displayed()
        assert "next" in served.find_element("#committee-hint").text
    assert_clean(served)


def test_arrow_keys_step_through_priorities_keeping_mode_and_district(served):
    projector(served)
    open_page(served, "/priority/domestic-abuse?district=maidstone&present=1")
    served.wait_for_text_to_equal("h1", "Domestic Abuse", timeout=15)
    wait_until(lambda: "substance-misuse" in (served.find_element("#committee-next").get_attribute("href") or ""))
    press(served, Keys.ARROW_RIGHT)
    served.wait_for_text_to_equal("h1", "Substance Misuse", timeout=15)
    assert where(served) == ("/priority/substance-misuse", {"district": "maidstone", "present": "1"})
    wait_until(lambda: "safeguarding" in (served.find_element("#committee-next").get_attribute("href") or ""))
    press(served, Keys.ARROW_RIGHT)
    served.wait_for_text_to_equal("h1", "Safeguarding Vulnerable People", timeout=15)
    wait_until(lambda: "substance-misuse" in (served.find_element("#committee-previous").get_attribute("href") or ""))
    press(served, Keys.ARROW_LEFT)
    served.wait_for_text_to_equal("h1", "Substance Misuse", timeout=15)
    assert where(served) == ("/priority/substance-misuse", {"district": "maidstone", "present": "1"})
    assert_clean(served)


def test_from_the_summary_the_right_arrow_opens_since_the_last_meeting_then_the_first_priority(served):
    open_page(served, "/?present=1&district=thanet")
    wait_until(lambda: "/meeting" in (served.find_element("#committee-next").get_attribute("href") or ""))
    press(served, Keys.ARROW_RIGHT)
    wait_until(lambda: where(served)[0] == "/meeting", 15, "the key did not step")
    served.wait_for_contains_text("h1", "Since ", timeout=40)
    wait_until(lambda: "neighbourhood-crime-asb" in (served.find_element("#committee-next").get_attribute("href")
                                                     or ""))
    press(served, Keys.ARROW_RIGHT)
    wait_until(lambda: where(served)[0] == "/priority/neighbourhood-crime-asb", 15, "the key did not step")
    assert where(served) == ("/priority/neighbourhood-crime-asb", {"district": "thanet", "present": "1"})
    served.wait_for_contains_text("h1", "Preventing Neighbourhood Crime", timeout=40)


def test_arrow_keys_do_nothing_outside_committee_mode(served):
    open_page(served, "/priority/domestic-abuse")
    served.wait_for_text_to_equal("h1", "Domestic Abuse", timeout=15)
    press(served, Keys.ARROW_RIGHT)
    time.sleep(1.5)
    assert where(served)[0] == "/priority/domestic-abuse"


def test_arrow_keys_typed_in_a_dropdown_are_left_alone(served):
    open_page(served, "/actions?present=1")
    served.wait_for_element("#actions-grid .ag-row", timeout=30)
    dropdown = served.find_element("#actions-priority")
    dropdown.click()
    time.sleep(0.5)
    active = served.driver.switch_to.active_element
    active.send_keys(Keys.ARROW_RIGHT)
    time.sleep(1.5)
    assert where(served)[0] == "/actions", "the arrow key left the page instead of staying in the dropdown"


def test_the_toggle_enters_and_leaves_committee_mode_keeping_the_query(served):
    open_page(served, "/meeting?meeting=2025-11-20&district=dover")
    assert served.find_element(".kcsp-header").is_displayed()
    served.find_element("#present-toggle").click()
    wait_until(lambda: "present-mode" in served.find_element("#shell").get_attribute("class"))
    assert where(served) == ("/meeting", {"meeting": "2025-11-20", "district": "dover", "present": "1"})
    assert not served.find_element(".kcsp-header").is_displayed()
    wait_until(lambda: served.find_element("#present-toggle").text == "Leave committee mode")
    served.find_element("#present-toggle").click()
    wait_until(lambda: "present-mode" not in served.find_element("#shell").get_attribute("class"))
    assert where(served) == ("/meeting", {"meeting": "2025-11-20", "district": "dover"})
    assert_clean(served)
