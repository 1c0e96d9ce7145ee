"""Page layouts are built once per dataset, view and viewer, and rebuilt when the store changes."""

from __future__ import annotations

import pandas as pd
import pytest

from kcsp import runtime
from kcsp.users import User
from kcsp.web import layouts


@pytest.fixture
def page(monkeypatch):
    calls = []
    viewer = {"user": None}
    monkeypatch.setattr(layouts, "request_user", lambda: viewer["user"])

    def layout(district: str | None = None, **params):
        calls.append((district, params))
        return {"district": district, **params}

    return layouts.cached_layout(layout), calls, viewer


def test_a_view_is_built_once_and_the_same_view_is_looked_up(page, dataset, monkeypatch):
    monkeypatch.setattr(runtime, "dataset", lambda: dataset)
    layout, calls, _ = page
    first = layout(district="dover", period="latest")
    assert layout(period="latest", district="dover") is first
    assert layout(district="thanet", period="latest") == {"district": "thanet", "period": "latest"}
    assert calls == [("dover", {"period": "latest"}), ("thanet", {"period": "latest"})]


def test_each_viewer_gets_their_own_layout(page, dataset, monkeypatch):
    monkeypatch.setattr(runtime, "dataset", lambda: dataset)
    layout, calls, viewer = page
    anonymous = layout(district="dover")
    viewer["user"] = User("lead", "lead", ("road-safety",))
    signed_in = layout(district="dover")
    assert signed_in is not anonymous and len(calls) == 2
    viewer["user"] = None
    assert layout(district="dover") is anonymous and len(calls) == 2


def test_a_new_dataset_starts_an_empty_cache(page, dataset, monkeypatch):
    from kcsp.queries import Dataset

    current = {"ds": dataset}
    monkeypatch.setattr(runtime, "dataset", lambda: current["ds"])
    layout, calls, _ = page
    layout(district="dover")
    current["ds"] = Dataset(dataset.tables)
    layout(district="dover")
    assert len(calls) == 2


def test_the_cache_is_bounded(page, dataset, monkeypatch):
    monkeypatch.setattr(runtime, "dataset", lambda: dataset)
    layout, calls, _ = page
    for i in range(layouts.LAYOUTS_KEPT + 5):
        layout(district=f"d{i}")
    layout(district="d0")
    assert len(calls) == layouts.LAYOUTS_KEPT + 6
    assert pd.Series([c[0] for c in calls]).value_counts()["d0"] == 2
