"""The view state carried in the query string: district, from, to, present (committee mode), and on a
priority page the measure compared by district and the order of its bars (rate or deprivation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

import pandas as pd

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$", re.ASCII)
ORDERS = ("rate", "deprivation")
SLUGLIKE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def local_path(pathname: object) -> str:
    """`pathname` if it is a path on this site, else '/': a link built from it never leaves the site
    ('//host/...' and '/\\host/...' are addresses on another site to a browser)."""
    if (not isinstance(pathname, str) or not pathname.startswith("/") or pathname[1:2] in ("/", "\\")
            or not pathname.isprintable()):
        return "/"
    return pathname


def parse_month(value: str | None) -> pd.Timestamp | None:
    """'2022-01' -> Timestamp('2022-01-01'); anything else -> None."""
    if not value or not MONTH.match(value):
        return None
    return pd.Timestamp(f"{value}-01")


@dataclass(frozen=True)
class ViewState:
    district: str | None = None
    start: str | None = None
    end: str | None = None
    present: bool = False
    indicator: str | None = None
    order: str | None = None

    @property
    def start_ts(self) -> pd.Timestamp | None:
        return parse_month(self.start)

    @property
    def end_ts(self) -> pd.Timestamp | None:
        return parse_month(self.end)

    def query(self, **changes) -> str:
        """The query string ('' or '?a=b...') of this state with changes applied."""
        state = replace(self, **changes)
        params = {}
        if state.district:
            params["district"] = state.district
        if state.start:
            params["from"] = state.start
        if state.end:
            params["to"] = state.end
        if state.present:
            params["present"] = "1"
        if state.indicator:
            params["indicator"] = state.indicator
        if state.order:
            params["order"] = state.order
        return "?" + urlencode(params) if params else ""


def from_params(params: dict, known_districts: set[str] | None = None) -> ViewState:
    """Build a state from query parameters, dropping values that are not valid."""
    def first(key):
        value = params.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, str) else None

    district = first("district")
    if district and known_districts is not None and district not in known_districts:
        district = None
    start = first("from") if parse_month(first("from")) else None
    end = first("to") if parse_month(first("to")) else None
    if start and end and start > end:
        start, end = end, start
    indicator = first("indicator")
    indicator = indicator if indicator and SLUGLIKE.match(indicator) else None
    order = first("order") if first("order") in ORDERS else None
    return ViewState(district=district, start=start, end=end, present=first("present") == "1", indicator=indicator,
                     order=order)


def from_search(search: str | None, known_districts: set[str] | None = None) -> ViewState:
    return from_params(parse_qs((search or "").lstrip("?")), known_districts)
