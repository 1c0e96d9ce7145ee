"""Each priority at a glance, for the pack's cover, the committee slides and a district's "since the
last meeting": its headline figure, change and comparison verdicts in words, action status counts,
red and amber actions, and what changed since the previous meeting.

This module never decides a direction itself: every verdict is read from `kcsp.judgements`, so
cover, slides and pages say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kcsp import access, judgements, meetings
from kcsp.memo import per_dataset
from kcsp.narrative import change_short, figures_mark, fmt_count, join_words
from kcsp.vocabulary import OFF_TRACK, STATUS_POSITION, term

NAMED_DISTRICTS = 3
"""Up to this many districts with the same verdict are named; more are counted."""

def change_verdict(dataset, indicator_id: str, area_code: str, end: pd.Timestamp | None, *,
                   reveal: bool) -> judgements.Verdict | None:
    """The area's change verdict (kcsp.judgements) for the window ending by `end`."""
    return judgements.verdict(dataset, indicator_id, area_code, judgements.CHANGE, None, end, reveal=reveal)


def comparison_verdict(dataset, indicator_id: str, area_code: str, end: pd.Timestamp | None, *,
                       reveal: bool) -> judgements.Verdict | None:
    """The area's comparison with its benchmark (kcsp.judgements); None for a county total, which has
    no benchmark (`districts_apart` says which districts stand out instead)."""
    if area_code == dataset.total_code(indicator_id):
        return None
    return judgements.verdict(dataset, indicator_id, area_code, judgements.COMPARISON, None, end, reveal=reveal)


def change_words(verdict: judgements.Verdict | None) -> str:
    """The figures behind a change verdict, or why there is none."""
    if verdict is None:
        return "no change is judged for this measure"
    return change_short(verdict)


def district_rates(dataset, indicator_id: str, end: pd.Timestamp | None, *, reveal: bool) -> pd.DataFrame:
    """Every district's comparison (kcsp.judgements.comparison_frame) for the window ending by `end`."""
    if dataset.indicator(indicator_id)["geography"] != "district":
        return judgements.comparison_frame([])
    frame = judgements.comparison_frame(judgements.verdicts(dataset, indicator_id, None, end, reveal=reveal))
    return frame[frame["area_code"].isin(set(dataset.districts()["area_code"]))].reset_index(drop=True)


def districts_apart(dataset, indicator_id: str, end: pd.Timestamp | None, *, reveal: bool) -> str:
    """Which districts the comparison puts above or below the county, in words."""
    frame = district_rates(dataset, indicator_id, end, reveal=reveal)
    if frame.empty:
        return "County figures only: no district comparison."
    parts = []
    for code in ("worse", "higher", "better", "lower"):
        names = list(frame.loc[frame["verdict"] == code, "area_name"])
        if names:
            word = term(judgements.COMPARISON, code).word
            parts.append(f"{word}: {join_words(names)}" if len(names) <= NAMED_DISTRICTS else
                         f"{word}: {len(names)} districts")
    return ("; ".join(parts) + ".") if parts else "No district differs from the county."


@dataclass(frozen=True)
class PriorityBrief:
    """One priority at a glance (see the module's docstring)."""

    priority_id: str
    name: str
    lead: str
    indicator_id: str | None
    measure: str
    unit: str
    illustrative: bool
    area_code: str | None
    area_name: str
    headline: str
    headline_short: str
    change: judgements.Verdict | None
    comparison: judgements.Verdict | None
    districts: str
    counts: dict[str, int]
    red_amber: tuple[tuple[str, str, str, bool], ...]
    since: str | None


def _since_words(new_measures: list[str], moved: int, previous_name: str | None) -> str | None:
    if previous_name is None:
        return None
    parts = []
    if new_measures:
        parts.append(f"new data for {join_words(new_measures)}")
    if moved:
        parts.append(f"{moved} action{'s' if moved > 1 else ''} changed status")
    return f"Since {previous_name}: {join_words(parts) if parts else 'nothing new'}."


def _headline(dataset, indicator_id: str, area: str, end: pd.Timestamp | None, change, *,
              reveal: bool) -> tuple[str, str]:
    """The latest year's count (the window the change judges), or the latest figure when none is
    judged, as this viewer may see it (kcsp.disclosure): in full, and short (for the summary slide)."""
    unit = dataset.indicator(indicator_id)["unit"]
    if change is not None and change.verdict is None:
        return "withheld (small numbers)", "withheld (small numbers)"
    if change is not None and change.count is not None and change.window is not None:
        w = change.window
        return (f"{fmt_count(change.count)} {unit}, {w.words()}{figures_mark(change)}",
                f"{fmt_count(change.count)} {unit}, year to {w.frequency.last_month(w.end):%b %Y}"
                f"{figures_mark(change, short=True)}")
    series = dataset.trend(indicator_id, area, None, end, reveal=reveal).dropna(subset=["value"])
    if series.empty:
        return "No data to this date.", "No data to this date."
    rounded = " (rounded to the nearest 5)" if bool(series["rounded"].iloc[-1]) else ""
    text = f"{fmt_count(series['value'].iloc[-1])} {unit}, {series['period'].iloc[-1]:%b %Y}{rounded}"
    return text, text


@per_dataset
def priority_briefs(dataset, *, district: str | None, data_end: pd.Timestamp, since: pd.Timestamp | None,
                    as_at: pd.Timestamp, previous_name: str | None,
                    include_restricted: bool) -> tuple[PriorityBrief, ...]:
    """Every priority at a glance, in the priorities' order, for a district (None: the county)."""
    code = dataset.area_code_for_slug(district)
    status = dataset.actions_for(include_restricted=include_restricted, district=district)
    fresh = meetings.new_data(dataset, since, as_at, area_code=code)
    moved = meetings.action_moves(dataset, since, as_at, include_restricted=include_restricted, district=district)
    out = []
    for _, p in dataset.priorities.iterrows():
        pid = p["priority_id"]
        mine = status[status["priority_id"] == pid]
        counts = {k: int(v) for k, v in mine["status"].value_counts().items()}
        flagged = mine[mine["status"].isin(OFF_TRACK)]
        flagged = flagged.assign(_rank=flagged["status"].map(STATUS_POSITION)).sort_values(["_rank", "action_id"])
        red_amber = tuple((a.action_id, a.title, a.status, access.is_restricted(a.classification))
                          for a in flagged.itertuples(index=False))
        since_text = _since_words(list(fresh.loc[fresh["priority_id"] == pid, "name"]),
                                  int((moved["priority_id"] == pid).sum()), previous_name)
        iid = p["headline_indicator_id"]
        if not isinstance(iid, str) or not dataset.has_data(iid):
            none = "No headline measure with data."
            out.append(PriorityBrief(pid, p["name"], p["lead"], None, "", "", False, None, "", none, none, None, None,
                                     "", counts, red_amber, since_text))
            continue
        ind = dataset.indicator(iid)
        area = judgements.shown_area(dataset, iid, district)
        change = change_verdict(dataset, iid, area, data_end, reveal=include_restricted)
        comparison = comparison_verdict(dataset, iid, area, data_end, reveal=include_restricted)
        headline, short = _headline(dataset, iid, area, data_end, change, reveal=include_restricted)
        out.append(PriorityBrief(pid, p["name"], p["lead"], iid, ind["name"], ind["unit"], bool(ind["illustrative"]),
                                 area, dataset.area_name(area), headline, short, change, comparison,
                                 districts_apart(dataset, iid, data_end, reveal=include_restricted), counts, red_amber,
                                 since_text))
    return tuple(out)



@dataclass(frozen=True)
class Deck:
    """What the committee slides are about: the meeting they are shown at, and the data they see."""

    meeting_name: str | None
    previous_name: str | None
    since: pd.Timestamp | None
    as_at: pd.Timestamp
    data_end: pd.Timestamp
    briefs: tuple[PriorityBrief, ...]

    def brief(self, priority_id: str) -> PriorityBrief | None:
        return next((b for b in self.briefs if b.priority_id == priority_id), None)


def deck(dataset, *, district: str | None, end: pd.Timestamp | None, include_restricted: bool,
         view: meetings.MeetingView | None = None) -> Deck:
    """The slides' view: the next meeting (or the latest held) against the one before, figures to
    the last complete month (or `end`, when earlier). With `view` (that meeting, resolved by the
    caller), `dataset` is the store as it stood at it (kcsp.runtime.meeting)."""
    if view is None:
        try:
            view = meetings.meeting_view(dataset.meetings, None, dataset.today)
        except meetings.MeetingError:
            view = None
    as_at = view.as_at if view is not None else dataset.today
    data_end = meetings.last_complete_month(as_at)
    if end is not None:
        data_end = min(data_end, end)
    previous = view.previous if view is not None else None
    briefs = priority_briefs(dataset, district=district, data_end=data_end, since=view.since if view else None,
                             as_at=as_at, previous_name=previous.name if previous else None,
                             include_restricted=include_restricted)
    return Deck(view.meeting.name if view else None, previous.name if previous else None,
                view.since if view else None, as_at, data_end, briefs)
