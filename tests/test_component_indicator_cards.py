"""components.indicator_cards: a measure's cards; every district's verdict listed in words."""

from __future__ import annotations

from components.indicator_cards import verdict_list
from kcsp import judgements
from tests.component_tree import by_class, text


def test_every_district_s_verdict_is_listed_by_name(dataset):
    iid = dataset.indicators["indicator_id"].iloc[0]
    verdicts = [v for v in judgements.verdicts(dataset, iid, reveal=True) if v.kind == judgements.COMPARISON]
    listed = verdict_list(verdicts)
    assert len(listed.children) == len(verdicts)
    for v in verdicts:
        assert v.area_name in text(listed)
    assert len(by_class(listed, "verdict-badge")) == len(verdicts)
