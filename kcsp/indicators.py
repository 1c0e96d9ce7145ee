"""Indicators are data: define a new one or change one, checked against the schema, under the store's lock.

Used by ``python -m kcsp indicators add`` and ``indicators edit``. A new indicator holds no values
until figures are imported (``python -m kcsp import indicator``); it is real, not illustrative.
Changing an indicator's frequency is refused while it holds values (monthly values under a
yearly indicator would be read as years).
"""

from __future__ import annotations

import pandas as pd

from kcsp import audit, periods
from kcsp.importers.common import ImportFailed, update_store
from kcsp.reference import register_of
from kcsp.store import Problem, Store, as_text

FIELDS = ("priority_id", "name", "unit", "polarity", "frequency", "geography", "coverage", "disclosure", "source",
          "licence", "notes", "caveats")
REQUIRED = ("priority_id", "name", "unit", "polarity", "frequency", "geography", "source")
DEFAULTS = {"coverage": "force-area", "disclosure": "suppress-small"}


class IndicatorError(ValueError):
    """The change was refused; problems say why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _run(store: Store, change, kind: str, indicator_id: str) -> None:
    try:
        update_store(store, change, user=audit.cli_user(), kind=kind, target=indicator_id)
    except ImportFailed as err:
        raise IndicatorError(err.problems) from err


def add_indicator(store: Store, indicator_id: str, fields: dict[str, str | None], *,
                  today: pd.Timestamp | None = None) -> None:
    """Add an indicator; raises IndicatorError when the id exists or a field is missing or invalid."""
    where = str(store.path("indicators"))
    values = {**DEFAULTS, **{k: v for k, v in fields.items() if v is not None}}
    missing = [k for k in REQUIRED if not values.get(k)]
    if missing:
        raise IndicatorError([Problem(where, None, k, "is required for a new indicator") for k in missing])
    stamp = (pd.Timestamp.today() if today is None else today).normalize()

    def change(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        indicators = as_text(tables["indicators"])
        if indicator_id in set(indicators["indicator_id"]):
            raise IndicatorError([Problem(where, None, "indicator_id",
                                          f"{indicator_id!r} exists; use indicators edit")])
        _check_priority(tables, values, where)
        row = {c: None for c in indicators.columns}
        row.update(values, indicator_id=indicator_id, illustrative="false", updated=f"{stamp:%Y-%m-%d}")
        return {"indicators": pd.concat([indicators, pd.DataFrame([row], dtype=object)], ignore_index=True)}

    _run(store, change, "indicator-add", indicator_id)


def edit_indicator(store: Store, indicator_id: str, fields: dict[str, str | None]) -> dict[str, tuple]:
    """Change the given fields of an indicator; returns {field: (old, new)} for those that changed."""
    where = str(store.path("indicators"))
    given = {k: v for k, v in fields.items() if v is not None}
    changed: dict[str, tuple] = {}

    def change(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        indicators = as_text(tables["indicators"])
        match = indicators.index[indicators["indicator_id"] == indicator_id]
        if len(match) == 0:
            raise IndicatorError([Problem(where, None, "indicator_id", f"unknown indicator {indicator_id!r}")])
        _check_priority(tables, given, where)
        idx = match[0]
        frequency = given.get("frequency")
        if frequency and frequency in periods.FREQUENCIES and frequency != indicators.at[idx, "frequency"]:
            obs = tables["observations"]
            held = obs.loc[obs["indicator_id"] == indicator_id, "period"]
            if len(held):
                raise IndicatorError([Problem(where, None, "frequency",
                                              f"{indicator_id} holds {len(held)} values as "
                                              f"{indicators.at[idx, 'frequency']} periods; a new frequency needs an "
                                              "indicator of its own (indicators add), or its values removed first")])
        for key, value in given.items():
            old = indicators.at[idx, key]
            if old != value:
                changed[key] = (old, value)
                indicators.at[idx, key] = value
        return {"indicators": indicators} if changed else {}

    _run(store, change, "indicator-edit", indicator_id)
    return changed


def _check_priority(tables: dict[str, pd.DataFrame], values: dict, where: str) -> None:
    """The priority must exist, and the coverage name one of the partnership's totals."""
    coverage = values.get("coverage")
    allowed = register_of(tables).coverages()
    if coverage and coverage not in allowed:
        raise IndicatorError([Problem(where, None, "coverage", f"{coverage!r} is not a coverage; one of "
                                      f"{', '.join(allowed)}")])
    pid = values.get("priority_id")
    if pid and pid not in set(tables["priorities"]["priority_id"]):
        known = ", ".join(tables["priorities"]["priority_id"])
        raise IndicatorError([Problem(where, None, "priority_id", f"unknown priority {pid!r}; one of {known}")])
