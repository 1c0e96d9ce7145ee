"""The URL is the state: the filters and the query string kept in step in the browser
(assets/10-shell.js), a district change on a priority page drawn in place, links carrying the query."""

from __future__ import annotations

from selenium.webdriver.support.ui import Select

from tests.browser.conftest import assert_clean, wait_for_charts

PAGE = "/priority/neighbourhood-crime-asb"
BURGLARY = "#trend-police-uk-burglary"


def choose(duo, selector, label):
    Select(duo.find_element(selector)).select_by_visible_text(label)


def selected(duo, selector) -> str:
    return Select(duo.find_element(selector)).first_selected_option.text


def open_page(duo, path, ready="#_pages_content > *"):
    duo.driver.get(duo.server_url + path)
    duo.wait_for_element(ready, timeout=15)
    wait_for_charts(duo)


def test_a_district_change_redraws_the_priority_page_in_place(served):
    open_page(served, PAGE, "#priority-title")
    served.driver.execute_script("window.__before = document.querySelector(arguments[0] + ' .js-plotly-plot');"
                                 "window.__card = document.querySelector(arguments[0]);", BURGLARY)
    choose(served, "#filter-district", "Maidstone")
    served.wait_for_contains_text("#priority-trends-heading", "in Maidstone", timeout=15)
    served.wait_for_contains_text(f"{BURGLARY} h3", "Maidstone, by month", timeout=15)
    wait_for_charts(served)
    kept = served.driver.execute_script(
        "return [window.__card.isConnected, window.__before.isConnected,"
        " window.__before === document.querySelector(arguments[0] + ' .js-plotly-plot')];", BURGLARY)
    assert kept == [True, True, True], "the card or its chart was replaced, not redrawn in place"
    assert "area=E07000110" in served.find_element(f"{BURGLARY} [data-testid=csv-link]").get_attribute("href")
    assert "Maidstone (" in served.find_element("#districts-compared ~ div").text
    assert served.driver.current_url.endswith(f"{PAGE}?district=maidstone")
    actions_link = served.find_element("#nav-priorities ~ * a[href^='/actions'], a[href^='/actions']")
    assert actions_link.get_attribute("href").endswith("/actions?district=maidstone")
    served.driver.back()
    served.wait_for_text_to_equal("#priority-trends-heading", "How the measures are moving", timeout=15)
    assert selected(served, "#filter-district") == "All of Kent"
    assert "Kent" in served.find_element(f"{BURGLARY} h3").text
    assert_clean(served)


def test_a_district_change_elsewhere_renders_the_page_again_and_keeps_other_parameters(served):
    open_page(served, "/?from=2022-01&meeting=2025-11-20", "h1")
    choose(served, "#filter-district", "Dover")
    served.wait_for_contains_text("h1", "priorities: Dover", timeout=15)
    assert served.driver.current_url.endswith("/?district=dover&from=2022-01&meeting=2025-11-20")
    assert_clean(served)


def test_the_filters_follow_the_url_and_ignore_what_is_not_valid(served):
    open_page(served, f"{PAGE}?district=atlantis&from=2022-13&to=2022-06", "#priority-title")
    assert selected(served, "#filter-district") == "All of Kent"
    assert selected(served, "#filter-from") == "Earliest"
    assert selected(served, "#filter-to") == "Jun 2022"
    open_page(served, f"{PAGE}?district=thanet&from=2022-06&to=2022-01", "#priority-title")
    assert selected(served, "#filter-district") == "Thanet"
    assert (selected(served, "#filter-from"), selected(served, "#filter-to")) == ("Jan 2022", "Jun 2022")
    assert_clean(served)


def test_clearing_the_district_removes_it_from_the_url(served):
    open_page(served, f"{PAGE}?district=swale&from=2022-01", "#priority-title")
    choose(served, "#filter-district", "All of Kent")
    served.wait_for_text_to_equal("#priority-trends-heading", "How the measures are moving", timeout=15)
    assert served.driver.current_url.endswith(f"{PAGE}?from=2022-01")
    assert_clean(served)
