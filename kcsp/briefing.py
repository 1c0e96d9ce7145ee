"""Each priority at a glance, for the pack's cover, the committee slides and a district's "since the
last meeting": its headline figure, change and comparison verdicts in words, action status counts,
red and amber actions, and what changed since the previous meeting.

This module never decides a direction itself: `change_verdict` and `comparison_verdict` are the one
adapter onto the verdicts of the domain (today `meetings.significant_changes`' test and the district
breakdown's judgement; `kcsp.judgements` once it lands), so cover, slides and district pages read
the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kcsp import meetings
from kcsp.memo import per_dataset
from kcsp.narrative import fmt_count, join_words

VERDICT_WORDS = {
    "improving": "Improving", "worsening": "Worsening", "rising": "Rising", "falling": "Falling",
    "no-significant-change": "No significant change", "not-compared": "Not compared",
    "better": "Better", "similar": "Similar", "worse": "Worse", "higher": "Higher", "lower": "Lower",
}


NAMED_DISTRICTS = 3
"""Up to this many districts with the same verdict are named; more are counted."""


@dataclass(frozen=True)
class Verdict:
    """One verdict, with the attributes CONTRACT.md asks every shown verdict to carry."""

    kind: str
    verdict: str
    detail: str
    indicator_id: str
    area_code: str
    start: str
    end: str

    @property
    def word(self) -> str:
        return VERDICT_WORDS[self.verdict]

    @property
    def attributes(self) -> dict[str, str]:
        return {"data-verdict-kind": self.kind, "data-indicator": self.indicator_id, "data-area": self.area_code,
                "data-from": self.start, "data-to": self.end, "data-verdict": self.verdict}


def _month(when) -> str:
    return "" if when is None or pd.isna(when) else f"{when:%Y-%m}"


def change_verdict(dataset, indicator_id: str, area_code: str, end: pd.Timestamp | None) -> Verdict:
    """The latest 12 months against the 12 before, to `end`: improving / worsening (rising / falling
    where up is neither good nor bad), no significant change, or not compared (and why)."""
    ind = dataset.indicator(indicator_id)
    found = meetings.significant_changes(dataset, end, area_code=area_code)
    row = found[found["indicator_id"] == indicator_id]
    if row.empty:
        comparison = dataset.comparison(indicator_id, area_code, None, end)
        why = comparison.reason or "there are not two comparable 12-month periods"
        return Verdict("change", "not-compared", why, indicator_id, area_code,
                       _month(comparison.current_start), _month(comparison.current_end))
    r = row.iloc[0]
    if not r["significant"]:
        verdict = "no-significant-change"
    elif ind["polarity"] == "lower-is-better":
        verdict = "worsening" if r["percent"] > 0 else "improving"
    elif ind["polarity"] == "higher-is-better":
        verdict = "improving" if r["percent"] > 0 else "worsening"
    else:
        verdict = "rising" if r["percent"] > 0 else "falling"
    detail = (f"{fmt_count(r['current'])} against {fmt_count(r['previous'])} ({r['percent']:+.1f}%) in the 12 months "
              f"to {r['current_end']:%b %Y} and the 12 before")
    return Verdict("change", verdict, detail, indicator_id, area_code, _month(r["current_start"]),
                   _month(r["current_end"]))


def comparison_verdict(dataset, indicator_id: str, area_code: str, end: pd.Timestamp | None) -> Verdict | None:
    """A district against the county over the 12 months to `end`; None for a county total (which
    has no benchmark: `districts_apart` says which districts stand out instead)."""
    breakdown = district_rates(dataset, indicator_id, end)
    mine = breakdown[breakdown["area_code"] == area_code] if not breakdown.empty else breakdown
    if mine.empty:
        return None
    r = mine.iloc[0]
    verdict = str(r["judgement"]).lower().replace(" ", "-")
    if verdict not in VERDICT_WORDS:
        verdict = "not-compared"
    detail = f"against {dataset.total_label(indicator_id)}, {r['first']:%b %Y} to {r['last']:%b %Y}"
    return Verdict("comparison", verdict, detail, indicator_id, area_code, _month(r["first"]), _month(r["last"]))


def district_rates(dataset, indicator_id: str, end: pd.Timestamp | None) -> pd.DataFrame:
    """The district comparison over the latest 12 months of data to `end`."""
    bounds = dataset.period_bounds(indicator_id)
    if dataset.indicator(indicator_id)["geography"] != "district" or bounds is None:
        return pd.DataFrame()
    end = bounds[1] if end is None else min(end, bounds[1])
    start = end - pd.DateOffset(months=11)
    return dataset.district_breakdown(indicator_id, start, end)


def districts_apart(dataset, indicator_id: str, end: pd.Timestamp | None) -> str:
    """Which districts the comparison puts above or below the county, in words."""
    breakdown = district_rates(dataset, indicator_id, end)
    if breakdown.empty:
        return "County figures only: no district comparison."
    parts = []
    for word in ("Worse", "Higher", "Better", "Lower"):
        names = list(breakdown.loc[breakdown["judgement"] == word, "area_name"])
        if names:
            parts.append(f"{word}: {join_words(names)}" if len(names) <= NAMED_DISTRICTS else
                         f"{word}: {len(names)} districts")
    return ("; ".join(parts) + ".") if parts else "Every district similar to the county."


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
    change: Verdict | None
    comparison: Verdict | None
    districts: str
    counts: dict[str, int]
    red_amber: tuple[tuple[str, str, str, bool], ...]
    since: str | None


def _area_for(dataset, indicator_id: str, district_code: str | None) -> str:
    ind = dataset.indicator(indicator_id)
    if district_code and ind["geography"] == "district" and dataset.has_data(indicator_id, district_code):
        return district_code
    return dataset.total_code(indicator_id)


def _since_words(new_measures: list[str], moved: int, previous_name: str | None) -> str | None:
    if previous_name is None:
        return None
    parts = []
    if new_measures:
        parts.append(f"new data for {join_words(new_measures)}")
    if moved:
        parts.append(f"{moved} action{'s' if moved > 1 else ''} changed status")
    return f"Since {previous_name}: {join_words(parts) if parts else 'nothing new'}."


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
        flagged = mine[mine["status"].isin(["red", "amber"])]
        flagged = flagged.assign(_rank=flagged["status"].map({"red": 0, "amber": 1})).sort_values(
            ["_rank", "action_id"])
        red_amber = tuple((a.action_id, a.title, a.status, a.classification == "restricted")
                          for a in flagged.itertuples(index=False))
        since_text = _since_words(list(fresh.loc[fresh["priority_id"] == pid, "name"]),
                                  int((moved["priority_id"] == pid).sum()), previous_name)
        iid = p["headline_indicator_id"]
        if not isinstance(iid, str) or not dataset.has_data(iid):
            out.append(PriorityBrief(pid, p["name"], p["lead"], None, "", "", False, None, "",
                                     "No headline measure with data.", None, None, "", counts, red_amber, since_text))
            continue
        ind = dataset.indicator(iid)
        area = _area_for(dataset, iid, code)
        change = change_verdict(dataset, iid, area, data_end)
        comparison = comparison_verdict(dataset, iid, area, data_end) if area == code else None
        series = dataset.series(iid, area, None, data_end)
        last12 = series.tail(12)
        headline = (f"{fmt_count(last12['value'].sum())} {ind['unit']}, 12 months to "
                    f"{last12['period'].max():%b %Y}" if len(last12) == 12 else
                    f"{fmt_count(series['value'].iloc[-1])} {ind['unit']}, {series['period'].iloc[-1]:%b %Y}"
                    if not series.empty else "No data to this date.")
        out.append(PriorityBrief(pid, p["name"], p["lead"], iid, ind["name"], ind["unit"], bool(ind["illustrative"]),
                                 area, dataset.area_name(area), headline, change, comparison,
                                 districts_apart(dataset, iid, data_end), counts, red_amber, since_text))
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


def deck(dataset, *, district: str | None, end: pd.Timestamp | None, include_restricted: bool) -> Deck:
    """The slides' view: the next meeting (or the latest held) against the one before, figures to
    the last complete month (or `end`, when earlier)."""
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
