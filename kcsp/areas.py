"""The one register of a partnership's areas: codes, names as people type them, types, totals, dates.

A partnership's areas come from its folder's ``areas.csv`` and ``partnership.csv`` (see
data/partnerships/kent/). Local areas are the districts and unitaries; the partnership names two
totals, never stored but summed from local areas: the county (local areas with ``in_csa`` true)
and the police force area (every local area). Each area may carry ``valid_from`` and ``valid_to``
(blank = open) and ``made_of``, the codes of the earlier areas it was formed from: a new unitary of
whole districts inherits their summed history (``made_of``), and a local area is a member of a
total only on the dates it is valid. Names resolve through one rule, `Register.resolve`: a code, a
slug, a name or an alias, ignoring case, punctuation, "&" for "and" and words such as "Borough".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path

import pandas as pd

LOCAL_TYPES = ("district", "unitary")
COUNTY, FORCE_AREA = "county", "force-area"
NO_LOCATION = "NO-LOCATION"
PARTNERSHIP_COLUMNS = ("partnership_id", "name", "short_name", "county_code", "county_name", "force_area_code",
                       "force_area_name", "police_force")
DROP_WORDS = {"borough", "district", "city", "county", "council", "of", "the", "bc", "dc", "cc", "csp", "area", "total"}
"""Words people add to an area's name that do not change which area they mean."""


def normalise(text: object) -> str:
    """A name as a key: lower case, "&" as "and", punctuation as spaces, single spaces."""
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", str(text).lower().replace("&", " and ")).split())


def _core(text: object) -> str:
    return " ".join(w for w in normalise(text).split() if w not in DROP_WORDS)


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def _codes(value: object) -> list[str]:
    if _blank(value):
        return []
    return [c.strip() for c in str(value).split(";") if c.strip()]


def _date(value: object) -> pd.Timestamp | None:
    if _blank(value):
        return None
    return pd.Timestamp(value)


def _true(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


class Register:
    """One partnership's areas and the rules about them (which are local, which totals hold which)."""

    def __init__(self, areas: pd.DataFrame, partnership: Mapping[str, object]):
        frame = areas.copy()
        for col in ("aliases", "valid_from", "valid_to", "made_of"):
            if col not in frame.columns:
                frame[col] = None
        if "sort_order" in frame.columns:
            frame = frame.assign(_order=pd.to_numeric(frame["sort_order"])).sort_values("_order", kind="stable")
            frame = frame.drop(columns="_order")
        self.frame = frame.reset_index(drop=True)
        self.partnership = {k: ("" if partnership.get(k) is None or pd.isna(partnership.get(k)) else
                                str(partnership.get(k))) for k in PARTNERSHIP_COLUMNS}
        self.county_code = self.partnership["county_code"]
        self.force_code = self.partnership["force_area_code"]
        self._rows = {row["area_code"]: row for _, row in self.frame.iterrows()}
        self._lookup = self._names()

    @classmethod
    def from_folder(cls, folder: Path | str) -> Register:
        """The register of a partnership folder, read once per process."""
        return _from_folder(Path(folder).resolve())

    @classmethod
    def _read_folder(cls, folder: Path) -> Register:
        read = dict(dtype="str", keep_default_na=False, na_values=[""])
        areas = pd.read_csv(folder / "areas.csv", **read)
        partnership = pd.read_csv(folder / "partnership.csv", **read).iloc[0].to_dict()
        return cls(areas, partnership)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> Register:
        partnership = tables["partnership"]
        return cls(tables["areas"], partnership.iloc[0].to_dict() if len(partnership) else {})

    # -- names --------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The partnership's name, e.g. "Kent Community Safety Partnership"."""
        return self.partnership["name"]

    @property
    def county_name(self) -> str:
        return self.partnership["county_name"] or self.area_name(self.county_code)

    @property
    def force_area_name(self) -> str:
        return self.partnership["force_area_name"] or self.area_name(self.force_code)

    @property
    def product_name(self) -> str:
        """The dashboard's title: "<county> Community Safety Dashboard"."""
        return f"{self.county_name} Community Safety Dashboard"

    @property
    def all_areas_label(self) -> str:
        """What "every area" is called in menus: "All of <county>"."""
        return f"All of {self.county_name}"

    def area_name(self, code: str) -> str:
        row = self._rows.get(code)
        return str(row["area_name"]) if row is not None else code

    def total_label(self, code: str) -> str:
        """A total as charts name it: the county with its number of local areas, the force area by name."""
        if code == self.county_code and self.county_code != self.force_code:
            n = len(self.members(code))
            kinds = {self._rows[c]["area_type"] for c in self.members(code)}
            word = "districts" if kinds == {"district"} else "areas"
            return f"{self.county_name} ({n} {word})"
        return self.force_area_name if code == self.force_code else self.area_name(code)

    # -- which areas --------------------------------------------------------------------------

    @cached_property
    def dated(self) -> bool:
        """Whether any area begins or ends on a date (a reorganisation is recorded)."""
        return any(not _blank(v) for col in ("valid_from", "valid_to") for v in self.frame[col])

    def valid(self, code: str, on: pd.Timestamp | None) -> bool:
        row = self._rows.get(code)
        if row is None:
            return False
        if on is None:
            return True
        start, end = _date(row["valid_from"]), _date(row["valid_to"])
        return (start is None or on >= start) and (end is None or on <= end)

    def local(self, on: pd.Timestamp | str | None = "today") -> pd.DataFrame:
        """Local areas (districts and unitaries) in the register's order. ``on`` a date: those valid
        then; the default, today's areas, and with areas not yet begun when no date limits them
        (``on=None``: every local area the register has ever held)."""
        rows = self.frame[self.frame["area_type"].isin(LOCAL_TYPES)]
        if on is None:
            return rows
        day = pd.Timestamp.today().normalize() if isinstance(on, str) and on == "today" else pd.Timestamp(on)
        return rows[[self.valid(c, day) for c in rows["area_code"]]]

    def local_codes(self, on: pd.Timestamp | str | None = "today") -> list[str]:
        return list(self.local(on)["area_code"])

    def members(self, total_code: str, on: pd.Timestamp | str | None = "today") -> list[str]:
        """The local areas a total sums: the county's are those in the Agreement (``in_csa``), the force
        area's every local area."""
        local = self.local(on)
        if total_code == self.force_code:
            return list(local["area_code"])
        if total_code == self.county_code:
            return [c for c, inside in zip(local["area_code"], local["in_csa"], strict=True) if _true(inside)]
        return []

    def totals(self) -> list[str]:
        """The totals, county first; one code when the county and the force area hold the same areas."""
        if set(self.members(self.county_code)) == set(self.members(self.force_code)):
            return [self.force_code]
        return [self.county_code, self.force_code]

    def total_for(self, coverage: str) -> str:
        """The total an indicator's coverage names: ``county``, ``force-area``, or either total's slug."""
        value = str(coverage).strip()
        if value == COUNTY or value == self.slug(self.county_code):
            return self.county_code
        if value == FORCE_AREA or value == self.slug(self.force_code):
            return self.force_code
        raise ValueError(f"unknown coverage {coverage!r}: expected {COUNTY}, {FORCE_AREA}, "
                         f"{self.slug(self.county_code)} or {self.slug(self.force_code)}")

    def coverages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((COUNTY, FORCE_AREA, self.slug(self.county_code), self.slug(self.force_code))))

    def slug(self, code: str) -> str:
        row = self._rows.get(code)
        return str(row["area_slug"]) if row is not None else ""

    def valid_from(self, code: str) -> pd.Timestamp | None:
        row = self._rows.get(code)
        return None if row is None else _date(row["valid_from"])

    def made_of(self, code: str) -> list[str]:
        row = self._rows.get(code)
        return _codes(row["made_of"]) if row is not None else []

    def formed_words(self, code: str) -> str | None:
        """How an area formed from whole earlier areas is shown: 'East Surrey was formed on 1 April 2027
        from Elmbridge, ... and Tandridge; its figures before then are theirs added up.' (None otherwise)."""
        parts, start = self.made_of(code), self.valid_from(code)
        if not parts or start is None:
            return None
        names = [self.area_name(c) for c in parts]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return (f"{self.area_name(code)} was formed on {start.day} {start:%B %Y} from {listed}; its figures "
                "before then are theirs added up.")

    def unallocated(self) -> list[str]:
        return list(self.frame.loc[self.frame["area_type"] == "unallocated", "area_code"])

    @property
    def no_location_code(self) -> str:
        return NO_LOCATION

    @cached_property
    def outside_code(self) -> str:
        """The area police rows located outside the force area are counted under."""
        others = [c for c in self.unallocated() if c != NO_LOCATION]
        return others[0] if others else "OUTSIDE"

    # -- names people type --------------------------------------------------------------------

    def _names(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for code, row in self._rows.items():
            if row["area_type"] == "unallocated":
                continue
            for text in (code, row["area_name"], row["area_slug"], *_codes(row["aliases"])):
                lookup.setdefault(normalise(text), code)
                lookup.setdefault(_core(text), code)
        lookup.pop("", None)
        return lookup

    def resolve(self, text: object) -> str | None:
        """The area code someone means by ``text`` (a code, slug, name or alias), or None."""
        if text is None or str(text).strip() == "":
            return None
        return self._lookup.get(normalise(text)) or self._lookup.get(_core(text))


@cache
def _from_folder(folder: Path) -> Register:
    return Register._read_folder(folder)
