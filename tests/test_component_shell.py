"""components.shell: the header, filters, search and footer every page sits in."""

from __future__ import annotations

from components.shell import filter_bar, footer, header, search_box, search_results
from tests.component_tree import attr, by_id, ids, text


def test_the_header_links_every_priority_and_district_and_signs_in(dataset):
    shown = header(dataset.priorities, dataset.districts())
    words = text(shown)
    for name in [*dataset.priorities["name"], *dataset.districts()["area_name"]]:
        assert name in words
    assert "Sign in" in words
    assert "Sign out" in text(header(dataset.priorities, dataset.districts(), user_name="pat", user_role="viewer"))


def test_the_filters_and_search_have_their_ids_and_labels(dataset):
    bar = filter_bar(dataset.districts(), *dataset.month_range())
    assert {"filter-district", "filter-from", "filter-to", "site-search"} <= set(ids(bar))
    assert attr(by_id(search_box(), "site-search-results"), "aria-live") == "polite"
    assert "Nothing found" in text(search_results([], "zzz"))
    assert search_results([], " ") == ""
    assert "Open Government Licence" in text(footer())
