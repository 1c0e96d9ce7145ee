"""The default store: real police.uk counts plus an illustrative generator for what has no open source.

How the illustrative series are made (all deterministic):
- Each illustrative indicator has a yearly total for its coverage area. Where the seed papers give a
  figure (the partnership folder's calibration.csv) that figure anchors the year it covers; between anchors
  the yearly level moves geometrically, and outside them it follows the indicator's yearly trend.
  Steps (the CRASH recording change) and shocks (the 2020 lockdowns) multiply the level.
- A month's expected value is the yearly level / 12 times a seasonal cosine; it is split between
  districts by the district shares of a related real police.uk crime type, or by population.
- Each cell is a Poisson draw from a generator seeded by (indicator, area, month), so a value never
  depends on how many months are built: extending the store only appends.
- Finally every calibration window is adjusted so that its total equals the published figure
  exactly, spreading the difference over the window's cells in proportion to their expected value.

Action updates and strategic-assessment rows are generated the same way, seeded per action or
issue, from the reference CSVs. Everything about the partnership (areas, priorities, calibration,
its police counts and the packs' words) comes from its folder (data/partnerships/<id>/); an
illustrative indicator with no recipe in SPECS is generated flat from its first calibration figure.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kcsp import opendata
from kcsp.areas import Register
from kcsp.reference import read_optional, read_reference, reference_tables, register
from kcsp.schema import TABLES
from kcsp.settings import PARTNERSHIP_DIR

POLICE_COUNTS = Path("police-uk") / "street-counts.csv"
"""A partnership's police.uk counts shipped aggregated (per indicator, district and month), if any."""
FIRST_MONTH = pd.Timestamp("2014-01-01")


@dataclass(frozen=True)
class Spec:
    """How one illustrative indicator is generated (yearly totals refer to its coverage area)."""

    level: float
    level_year: int
    trend: float
    seasonal_amplitude: float = 0.08
    peak_month: int = 7
    share_from: str | None = None
    steps: tuple[tuple[str, float], ...] = ()
    shocks: tuple[tuple[str, str, float], ...] = field(default_factory=tuple)


LOCKDOWN_DOWN = (("2020-04", "2020-06", 0.6), ("2020-07", "2021-03", 0.85))
LOCKDOWN_UP = (("2020-04", "2021-03", 1.35),)

SPECS: dict[str, Spec] = {
    "asb-incidents": Spec(46036, 2016, 0.96, 0.12, 7, "police-uk-anti-social-behaviour", shocks=LOCKDOWN_UP),
    "da-incidents": Spec(34664, 2016, 1.05, 0.07, 8, "police-uk-violence-and-sexual-offences"),
    "marac-cases": Spec(2100, 2016, 1.03, 0.05, 8, "police-uk-violence-and-sexual-offences"),
    "one-stop-shop-visits": Spec(3200, 2016, 1.02, 0.10, 10),
    "dhr-reviews": Spec(4, 2017, 1.0, 0.0),
    "drug-related-deaths": Spec(71, 2015, 1.05, 0.0),
    "alcohol-specific-deaths": Spec(110, 2015, 1.03, 0.05, 1),
    "scam-victims-supported": Spec(235, 2017, 1.05, 0.05, 11),
    "hate-crimes": Spec(1730, 2016, 1.08, 0.10, 7, "police-uk-public-order"),
    "prevent-referrals": Spec(300, 2016, 1.02, 0.10, 3),
    "road-casualties": Spec(5799, 2015, 0.98, 0.08, 10, shocks=LOCKDOWN_DOWN),
    "road-ksi": Spec(560, 2015, 0.985, 0.10, 7, steps=(("2016-01", 1.35),), shocks=LOCKDOWN_DOWN),
    "vawg-offences": Spec(9000, 2016, 1.07, 0.08, 7, "police-uk-violence-and-sexual-offences"),
}


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def last_full_month(today: pd.Timestamp) -> pd.Timestamp:
    return (today.normalize().replace(day=1) - pd.offsets.MonthBegin(1)).normalize()


def yearly_levels(spec: Spec, anchors: dict[int, float], years: range) -> dict[int, float]:
    """Expected yearly total per year: anchors where known, geometric in between, trend outside."""
    if not anchors:
        anchors = {spec.level_year: spec.level}
    known = sorted(anchors)
    levels = {}
    for year in years:
        if year in anchors:
            levels[year] = anchors[year]
        elif year < known[0]:
            levels[year] = anchors[known[0]] * spec.trend ** (year - known[0])
        elif year > known[-1]:
            levels[year] = anchors[known[-1]] * spec.trend ** (year - known[-1])
        else:
            lo = max(k for k in known if k < year)
            hi = min(k for k in known if k > year)
            frac = (year - lo) / (hi - lo)
            levels[year] = anchors[lo] * (anchors[hi] / anchors[lo]) ** frac
    return levels


def _anchors(calibration: pd.DataFrame) -> dict[int, float]:
    """Yearly anchors implied by calibration windows (a window's total spread over its years)."""
    anchors: dict[int, float] = {}
    for row in calibration.itertuples(index=False):
        start, end = pd.Period(row.start, "M"), pd.Period(row.end, "M")
        months = (end - start).n + 1
        if months % 12 == 0 and start.month == 1:
            for k in range(months // 12):
                anchors[start.year + k] = float(row.total) * 12 / months
        else:
            mid = start + (months // 2)
            anchors.setdefault(mid.year, float(row.total) * 12 / months)
    return anchors


def _multiplier(spec: Spec, period: pd.Timestamp) -> float:
    month = period.strftime("%Y-%m")
    factor = 1.0
    for start, mult in spec.steps:
        if month >= start:
            factor *= mult
    for start, end, mult in spec.shocks:
        if start <= month <= end:
            factor *= mult
    return factor


def district_shares(indicator: pd.Series, police: pd.DataFrame, population: pd.DataFrame,
                    areas: list[str], spec: Spec) -> dict[str, float]:
    """Share of the coverage total that falls in each area."""
    if indicator["geography"] == "county":
        return {areas[0]: 1.0}
    if spec.share_from is not None:
        counts = police[police["indicator_id"] == spec.share_from].groupby("area_code")["value"].sum()
    else:
        counts = population[population["year"] == 2021].set_index("area_code")["population"]
    weights = {a: float(counts.get(a, 0)) for a in areas}
    if sum(weights.values()) == 0:
        counts = population[population["year"] == 2021].set_index("area_code")["population"]
        weights = {a: float(counts.get(a, 0)) for a in areas}
    total = sum(weights.values())
    return {a: w / total for a, w in weights.items()}


def coverage_areas(indicator: pd.Series, areas: Register) -> list[str]:
    """The areas an indicator's figures are made for: its total alone, or the total's local areas
    (every area ever local to the partnership, in register order, that is in the total today)."""
    total = areas.total_for(indicator["coverage"])
    if indicator["geography"] == "county":
        return [total]
    return areas.members(total)


def apportion(expected: np.ndarray, total: int, current: np.ndarray) -> np.ndarray:
    """Adjust integer cells so they sum to total, moving each in proportion to its expected value."""
    delta = total - int(current.sum())
    if delta == 0:
        return current
    weights = expected / expected.sum()
    raw = weights * delta
    step = np.trunc(raw).astype(int)
    rest = delta - int(step.sum())
    order = np.argsort(-(np.abs(raw - step)), kind="stable")
    step[order[: abs(rest)]] += int(math.copysign(1, rest)) if rest else 0
    adjusted = current + step
    while (adjusted < 0).any():
        deficit = int(-adjusted[adjusted < 0].sum())
        adjusted[adjusted < 0] = 0
        donors = np.argsort(-adjusted, kind="stable")[:deficit]
        adjusted[donors] -= 1
    return adjusted


def illustrative_series(indicator: pd.Series, spec: Spec, calibration: pd.DataFrame,
                        police: pd.DataFrame, population: pd.DataFrame, areas: Register,
                        end: pd.Timestamp) -> pd.DataFrame:
    """Monthly observations for one illustrative indicator, calibrated to its published totals."""
    months = pd.date_range(FIRST_MONTH, end, freq="MS")
    codes = coverage_areas(indicator, areas)
    shares = district_shares(indicator, police, population, codes, spec)
    levels = yearly_levels(spec, _anchors(calibration), range(FIRST_MONTH.year, end.year + 1))
    rows = []
    for period in months:
        season = 1 + spec.seasonal_amplitude * math.cos(2 * math.pi * (period.month - spec.peak_month) / 12)
        county = levels[period.year] / 12 * season * _multiplier(spec, period)
        for code in codes:
            lam = county * shares[code]
            rng = np.random.default_rng(_seed(indicator["indicator_id"], code, period.strftime("%Y-%m")))
            rows.append((code, period, lam, int(rng.poisson(lam))))
    frame = pd.DataFrame(rows, columns=["area_code", "period", "expected", "value"])
    for row in calibration.itertuples(index=False):
        window = frame["period"].between(pd.Timestamp(f"{row.start}-01"), pd.Timestamp(f"{row.end}-01"))
        frame.loc[window, "value"] = apportion(frame.loc[window, "expected"].to_numpy(), int(row.total),
                                               frame.loc[window, "value"].to_numpy())
    frame.insert(0, "indicator_id", indicator["indicator_id"])
    return frame[["indicator_id", "area_code", "period", "value"]]


def read_police_counts(folder: Path | None = None) -> pd.DataFrame:
    path = Path(folder or PARTNERSHIP_DIR) / POLICE_COUNTS
    if not path.exists():
        return pd.DataFrame({"indicator_id": pd.Series(dtype="str"), "area_code": pd.Series(dtype="str"),
                             "period": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype="int64")})
    frame = pd.read_csv(path, dtype={"indicator_id": "str", "area_code": "str", "value": "int64"})
    frame["period"] = pd.to_datetime(frame["period"], format="%Y-%m-%d")
    return frame


def review_body(bodies: pd.DataFrame) -> str | None:
    """The body that reviews the action plan between the board's meetings: the second body in the
    bodies table (the board itself when there is no other)."""
    ordered = list(bodies.sort_values("sort_order", kind="stable")["body"])
    return ordered[1] if len(ordered) > 1 else (ordered[0] if ordered else None)


def _working_group_dates(meetings: pd.DataFrame, today: pd.Timestamp, body: str | None) -> list[pd.Timestamp]:
    wg = meetings[meetings["body"] == body]
    dates = sorted(pd.to_datetime(wg["date"]))
    return [d for d in dates if d <= today]


def action_updates(actions: pd.DataFrame, progress: pd.DataFrame, meetings: pd.DataFrame,
                   today: pd.Timestamp, body: str | None = None) -> pd.DataFrame:
    """One update per open action before each Working Group meeting, with a seeded BRAG path.

    The text of each update is the action's illustrative progress text for the stage its status
    is at; an update whose text the reference data lacks is not made (an action with no text has
    no updates), and the other actions' paths stay the same."""
    texts = {(r.action_id, r.stage): r.text for r in progress.itertuples(index=False)}
    dates = _working_group_dates(meetings, today, body or review_body(read_reference("bodies")))
    stage_of = {"not-started": "early", "green": "progress", "amber": "concern", "red": "concern",
                "blue": "complete"}
    rows = []
    for action in actions.sort_values("action_id").itertuples(index=False):
        start, due = pd.Timestamp(action.start), pd.Timestamp(action.due)
        rng = np.random.default_rng(_seed("action", action.action_id))
        finishes_late = rng.random() < 0.3
        version = 0
        for meeting in dates:
            when = meeting - pd.Timedelta(days=7)
            if when < start - pd.Timedelta(days=60):
                continue
            if when < start:
                status = "not-started"
            elif when >= due and not finishes_late:
                status = "blue"
            elif when >= due:
                status = "red" if rng.random() < 0.5 else "amber"
            else:
                status = str(rng.choice(["green", "amber", "red"], p=[0.8, 0.15, 0.05]))
            text = texts.get((action.action_id, stage_of[status]))
            if text is None:
                continue
            version += 1
            rows.append({
                "action_id": action.action_id, "version": version, "status": status,
                "progress": text,
                "updated_by": action.owner_role,
                "updated_at": (when + pd.Timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "illustrative": True,
            })
            if status == "blue":
                break
    columns = ["action_id", "version", "status", "progress", "updated_by", "updated_at", "illustrative"]
    frame = pd.DataFrame(rows, columns=columns).sort_values(["updated_at", "action_id"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "update_id", [f"U{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


def strategic_assessment(counts: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Which CSPs named each issue: the published count per issue, split between CSPs by a seeded draw."""
    csps = sorted(areas.loc[areas["in_csa"].astype(str) == "true", "csp_name"].dropna().unique())
    rng_pilot = np.random.default_rng(_seed("morile-pilot"))
    pilot = set(rng_pilot.choice(csps, size=6, replace=False))
    rows = []
    for row in counts.itertuples(index=False):
        rng = np.random.default_rng(_seed("sa", row.year, row.issue))
        chosen = rng.choice(csps, size=int(row.csps), replace=False)
        for csp in sorted(chosen):
            cls = str(rng.choice(["priority", "cross-cutting", "broader-theme"], p=[0.6, 0.2, 0.2]))
            scores = rng.integers(20, 95, size=3) if csp in pilot else [None, None, None]
            rows.append({"year": row.year, "csp_name": csp, "issue": row.issue, "classification": cls,
                         "threat": scores[0], "risk": scores[1], "harm": scores[2], "illustrative": True})
    return pd.DataFrame(rows)


def pack_texts(written: pd.DataFrame | None, meetings: pd.DataFrame, priorities: pd.DataFrame,
               today: pd.Timestamp) -> pd.DataFrame:
    """The packs' own words from the partnership folder's pack_texts.csv, illustrative: the introduction
    and each priority's context (written by its lead unless the file names a writer), each dated
    ``days_before`` its meeting at ``hour``. The introduction is written for the first meeting that
    has texts and carried to every later one. Only meetings in the calendar, and texts written by
    `today`, are kept."""
    columns = [c for c in TABLES["pack_texts"].column_names if c != "text_id"]
    rows = []
    if written is not None:
        days = dict(zip(meetings["meeting_id"], pd.to_datetime(meetings["date"]), strict=True))
        leads = dict(zip(priorities["priority_id"], priorities["lead"], strict=True))
        texts = {(r.meeting_id, r.part): r for r in written.itertuples(index=False)}
        held = [m for m in dict.fromkeys(written["meeting_id"]) if m in days]

        def add(meeting_id: str, part: str, by: str) -> None:
            text = texts[(meeting_id, part)]
            when = (days[meeting_id] - pd.Timedelta(days=int(text.days_before))
                    + pd.Timedelta(hours=int(text.hour)))
            if when.normalize() <= today:
                rows.append({"meeting_id": meeting_id, "part": part, "version": 1, "body": text.body,
                             "references": text.references,
                             "written_by": by if pd.isna(text.written_by) else text.written_by,
                             "written_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "illustrative": "true"})

        intro = [m for m in held if (m, "introduction") in texts]
        if intro:
            add(intro[0], "introduction", "")
        for meeting_id in held:
            for priority_id, lead in leads.items():
                if (meeting_id, priority_id) in texts:
                    add(meeting_id, priority_id, lead)
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "text_id", [f"T{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


def spec_for(indicator_id: str, calibration: pd.DataFrame) -> Spec | None:
    """The generation recipe of an illustrative indicator: its own in SPECS, else flat at its first
    calibration figure (None when it has neither: no figures are made)."""
    if indicator_id in SPECS:
        return SPECS[indicator_id]
    if calibration.empty:
        return None
    first = calibration.sort_values("start").iloc[0]
    return Spec(float(first["total"]), int(str(first["start"])[:4]), 1.0)


def build_demo_tables(today: pd.Timestamp | None = None, folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table of a partnership's demonstration store (default: the default partnership's)."""
    folder = Path(folder or PARTNERSHIP_DIR)
    today = pd.Timestamp.today().normalize() if today is None else today.normalize()
    tables = reference_tables(today, folder)
    areas, indicators = register(folder), tables["indicators"]
    police = read_police_counts(folder)
    calibration = read_optional("calibration", folder)
    calibration = (calibration if calibration is not None
                   else pd.DataFrame(columns=["indicator_id", "start", "end", "total", "source"]))
    end = last_full_month(today)
    series = [police, opendata.drug_poisoning_observations(folder)]
    for indicator in indicators[indicators["illustrative"] == "true"].itertuples(index=False):
        ind = pd.Series(indicator._asdict())
        cal = calibration[calibration["indicator_id"] == ind["indicator_id"]]
        spec = spec_for(ind["indicator_id"], cal)
        if spec is not None:
            series.append(illustrative_series(ind, spec, cal, police, tables["population"], areas, end))
    tables["observations"] = pd.concat(series, ignore_index=True)
    tables["comparators"] = opendata.comparator_table(indicators)
    actions = read_optional("actions", folder)
    if actions is not None:
        progress = read_optional("action_progress", folder)
        progress = progress if progress is not None else pd.DataFrame(columns=["action_id", "stage", "text"])
        tables["actions"] = actions
        tables["action_updates"] = action_updates(actions, progress, tables["meetings"], today,
                                                  review_body(tables["bodies"]))
    counts = read_optional("strategic_assessment_counts", folder)
    if counts is not None:
        tables["strategic_assessment"] = strategic_assessment(counts, tables["areas"])
    tables["pack_texts"] = pack_texts(read_optional("pack_texts", folder), tables["meetings"], tables["priorities"],
                                      today)
    return tables
