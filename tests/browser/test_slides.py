"""Committee slides in headless Chromium at 1280x720: the summary, "since the last meeting" and one
slide per priority, each on one screen with no scroll, no chart toolbar, text of at least 20px and
chart labels that do not overlap; the arrow keys reach every slide and back, the bar counts them,
and Enter opens the full page."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import assert_clean, projector, wait_for_charts, wait_until

CHECK = """
const root = document.documentElement, slide = document.getElementById('slide');
const clipped = Array.from(slide.querySelectorAll('.slide-main, .slide-side, .slide-foot, .slide-columns, table'))
  .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.className);
const small = [];
const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el || el.getClientRects().length === 0) { continue; }
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < 20) { small.push(node.textContent.trim().slice(0, 30) + ' ' + size); }
}
const ticks = Array.from(slide.querySelectorAll('.xtick text, .ytick text')).map(t => t.getBoundingClientRect());
let overlaps = 0;
for (let i = 0; i < ticks.length; i++) { for (let j = i + 1; j < ticks.length; j++) {
  const a = ticks[i], b = ticks[j];
  if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) { overlaps++; } } }
return {scrollY: root.scrollHeight > root.clientHeight, scrollX: root.scrollWidth > root.clientWidth,
        slideScroll: slide.scrollHeight > slide.clientHeight + 1, clipped: clipped, small: small,
        toolbars: document.querySelectorAll('.modebar-btn, .modebar-group').length, overlaps: overlaps,
        counter: document.getElementById('committee-count').innerText, kind: slide.dataset.slide};
"""




def slide_ready(duo, kind: str) -> dict:
    wait_until(lambda: duo.driver.execute_script(
        "const s = document.getElementById('slide'); return s !== null && s.dataset.slide === arguments[0];", kind),
        message=f"slide {kind} did not open")
    wait_for_charts(duo, timeout=30)
    wait_until(lambda: duo.driver.execute_script("return document.getElementById('committee-count').innerText"))
    time.sleep(0.3)
    return duo.driver.execute_script(CHECK)


def press(duo, key) -> None:
    ActionChains(duo.driver).send_keys(key).perform()


def test_every_slide_fits_the_screen_and_the_keys_reach_them_all(served, dataset):
    projector(served)
    kinds = ["summary", "since", *dataset.priorities["priority_id"]]
    served.driver.get(served.server_url + "/?present=1&district=thanet")
    for number, kind in enumerate(kinds, start=1):
        found = slide_ready(served, kind)
        assert found["counter"] == f"{number} of {len(kinds)}"
        assert not found["scrollY"] and not found["scrollX"] and not found["slideScroll"], f"{kind}: scrolls"
        assert found["clipped"] == [], f"{kind}: content cut off in {found['clipped']}"
        assert found["toolbars"] == 0, f"{kind}: a chart toolbar shows"
        assert found["small"] == [], f"{kind}: text under 20px: {found['small'][:5]}"
        assert found["overlaps"] == 0, f"{kind}: chart labels overlap"
        assert parse_qs(urlparse(served.driver.current_url).query) == {"district": ["thanet"], "present": ["1"]}
        if number < len(kinds):
            wait_until(lambda: served.find_element("#committee-next").get_attribute("href"))
            press(served, Keys.ARROW_RIGHT)
    for number, kind in reversed(list(enumerate(kinds, start=1))[:-1]):
        wait_until(lambda: served.find_element("#committee-previous").get_attribute("href") and
                   "d-none" not in served.find_element("#committee-previous").get_attribute("class"))
        press(served, Keys.ARROW_LEFT)
        assert slide_ready(served, kind)["counter"] == f"{number} of {len(kinds)}"
    assert_clean(served)


def test_the_county_slides_fit_too(served, dataset):
    projector(served)
    for path, kind in [("/?present=1", "summary"), ("/meeting?present=1", "since"),
                       *((f"/priority/{pid}?present=1", pid) for pid in dataset.priorities["priority_id"])]:
        served.driver.get(served.server_url + path)
        found = slide_ready(served, kind)
        assert not found["scrollY"] and not found["scrollX"] and not found["slideScroll"], f"{kind}: scrolls"
        assert found["clipped"] == [], f"{kind}: content cut off in {found['clipped']}"
        assert found["small"] == [] and found["overlaps"] == 0 and found["toolbars"] == 0, kind


def test_a_priority_slide_says_what_a_committee_needs(served, dataset):
    projector(served)
    served.driver.get(served.server_url + "/priority/domestic-abuse?present=1")
    slide_ready(served, "domestic-abuse")
    text = served.find_element("#slide").text
    for words in ("Domestic Abuse", "Lead:", "Change:", "Districts against", "Actions", "Since the last meeting"):
        assert words in text
    change = served.find_element('#slide [data-verdict-kind="change"]')
    assert change.get_attribute("data-indicator") == "da-incidents"
    assert change.get_attribute("data-verdict") in ("improving", "worsening", "rising", "falling",
                                                      "no-significant-change", "not-compared")
    assert served.find_element("#slide .bar-row")
    assert "Red" in served.find_element(".slide-actions").text


def test_enter_opens_the_full_page(served):
    projector(served)
    served.driver.get(served.server_url + "/priority/road-safety?present=1&district=dover")
    slide_ready(served, "road-safety")
    served.driver.execute_script("document.activeElement.blur()")
    press(served, Keys.ENTER)
    wait_until(lambda: urlparse(served.driver.current_url).query == "district=dover", message="Enter did nothing")
    served.wait_for_element("#priority-trends-heading", timeout=30)
    assert not served.driver.find_elements("css selector", "#slide")
