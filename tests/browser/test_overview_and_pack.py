"""The overview's cards link to their priority keeping the filters, and the pack view draws a chart
on every priority's page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import assert_clean


@pytest.mark.parametrize(("query", "expected"), [
    ("?district=maidstone&present=1", {"district": ["maidstone"], "present": ["1"]}),
    ("?district=thanet&from=2022-01", {"district": ["thanet"], "from": ["2022-01"]}),
])
def test_a_card_opens_its_priority_keeping_the_district(served, query, expected):
    served.driver.get(served.server_url + "/" + query)
    served.wait_for_element("#priority-link-domestic-abuse", timeout=15)
    served.find_element("#priority-link-domestic-abuse").click()
    served.wait_for_text_to_equal("h1", "Domestic Abuse", timeout=15)
    url = urlparse(served.driver.current_url)
    assert url.path == "/priority/domestic-abuse"
    assert parse_qs(url.query) == expected
    assert_clean(served)


def test_every_card_has_a_marker_and_a_verdict_in_words(served):
    served.driver.get(served.server_url + "/")
    served.wait_for_element(".priority-card", timeout=15)
    cards = served.driver.find_elements("css selector", ".priority-card")
    assert len(cards) == 8
    for card in cards:
        assert card.find_element("css selector", ".changed-marker").text
        assert card.find_element("css selector", ".verdict-badge").text


def test_the_pack_draws_a_chart_for_every_priority(served):
    served.driver.get(served.server_url + "/meeting?meeting=2025-11-20&pack=1")
    served.wait_for_element("#pack-view", timeout=15)
    served.wait_for_no_elements("._dash-loading", timeout=15)
    assert served.find_element("#pack-cover .pack-cover-table")
    pages = served.driver.find_elements("css selector", ".pack-page[data-priority]")
    assert len(pages) == 8
    for page in pages:
        served.wait_for_element(f"#{page.get_attribute('id')} .js-plotly-plot .main-svg", timeout=15)
        plot = page.find_element("css selector", ".js-plotly-plot")
        assert plot.find_elements("css selector", "g.ytick text"), "chart has no axis labels"
        box = served.driver.execute_script(
            "const p = arguments[0].getBoundingClientRect(), g = arguments[1].getBoundingClientRect();"
            "return [g.left >= p.left, g.right <= p.right, g.width, g.height];", page, plot)
        assert box[0] and box[1] and box[2] > 0 and box[3] > 0, "chart spills out of its page"
    assert_clean(served)


def test_choosing_a_meeting_keeps_the_district(served):
    served.driver.get(served.server_url + "/meeting?district=dover")
    served.wait_for_contains_text("h1", "Meetings: ", timeout=15)
    Select(served.find_element("#meeting-choice")).select_by_visible_text(
        "Kent Community Safety Partnership, 17 July 2025")
    served.wait_for_text_to_equal("h1", "Meetings: Kent Community Safety Partnership, 17 July 2025", timeout=15)
    url = urlparse(served.driver.current_url)
    assert parse_qs(url.query) == {"meeting": ["2025-07-17"], "district": ["dover"]}
    assert_clean(served)
