"""The running app's one store and one dataset cache, built from the settings at start-up."""

from __future__ import annotations

import contextlib

from kcsp import meetings
from kcsp.queries import Dataset, DatasetCache
from kcsp.settings import Settings, load_settings
from kcsp.store import Problem, Store, StoreError

_state: dict[str, object] = {}


def configure(settings: Settings | None = None) -> Settings:
    """(Re)build the store and cache from settings (the environment when none are given)."""
    settings = settings or load_settings()
    store = Store(settings.data_dir)
    store.remove_stale_temporary_files()
    _state.update(settings=settings, store=store, cache=DatasetCache(store))
    return settings


def settings() -> Settings:
    if "settings" not in _state:
        configure()
    return _state["settings"]  # type: ignore[return-value]


def store() -> Store:
    if "store" not in _state:
        configure()
    return _state["store"]  # type: ignore[return-value]


def dataset() -> Dataset:
    """The dataset of the current store version (rebuilt only after a store file changed)."""
    if "cache" not in _state:
        configure()
    return _state["cache"].get()  # type: ignore[union-attr]


def dataset_at(day) -> Dataset:
    """The dataset of the store as it stood at the end of `day` (kcsp.history); today's for today on."""
    if "cache" not in _state:
        configure()
    return _state["cache"].at(day)  # type: ignore[union-attr]


def meeting(value: str | None) -> tuple[meetings.MeetingView, Dataset]:
    """The meeting asked for (YYYY-MM-DD, or the default one) and the dataset as it stood at it: what
    its page, slides, pack and CSVs show. MeetingError when the calendar has no such meeting."""
    live = dataset()
    view = meetings.meeting_view(live.meetings, value, live.today)
    then = dataset_at(view.as_at)
    if then is not live:
        with contextlib.suppress(meetings.MeetingError):  # entered after its day: today's calendar decides
            view = meetings.meeting_view(then.meetings, view.meeting.iso, live.today)
    return view, then


def product_name() -> str:
    """The dashboard's title from the store's partnership ("<county> Community Safety Dashboard"), or a
    plain one when the store cannot be read."""
    try:
        return dataset().register.product_name
    except (StoreError, OSError, KeyError, ValueError):
        return "Community Safety Dashboard"


def page_title(name: str):
    """A page's browser title, worked out when the page is served (the store names the partnership)."""
    return lambda **_: f"{name} - {product_name()}"


def store_problems() -> list[Problem]:
    """Why the current store cannot be read (empty when it can).

    Reads the tables (each re-read only when its file changed) without building the Dataset, so a
    request that does not need the Dataset, such as posting an action update, never waits for it.
    """
    try:
        store().read_all()
    except StoreError as err:
        return err.problems
    return []
