"""The running app's one store and one dataset cache, built from the settings at start-up."""

from __future__ import annotations

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
