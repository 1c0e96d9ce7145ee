"""Site search: priorities, measures, actions (by id or words), districts (by name or alias) and
meetings, for the search box on every page.

Words are matched without case or accents, every word of the query in the entry's words (so
"marac cases" finds "MARAC cases heard"); an action id (`A011`, `a11`) finds that action first. A
viewer who is not signed in is never offered a restricted action. Results are in a fixed order of
kinds, then best match first; an action opens the plan filtered to its priority.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kcsp import access
from kcsp.memo import per_dataset

MAX_RESULTS = 12
MAX_QUERY = 100
ACTION_ID = re.compile(r"^a0*(\d{1,6})$")
KIND_ORDER = ("action", "priority", "measure", "district", "meeting")
KIND_WORDS = {"action": "Action", "priority": "Priority", "measure": "Measure", "district": "District",
              "meeting": "Meeting"}


@dataclass(frozen=True)
class Result:
    kind: str
    label: str
    href: str
    detail: str = ""


def _fold(text: object) -> str:
    plain = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


@per_dataset
def _entries(dataset, include_restricted: bool) -> tuple[tuple[str, str, str, str, str], ...]:
    """(kind, searchable words, label, href, detail) of everything a viewer may find."""
    rows = []
    for p in dataset.priorities.itertuples(index=False):
        rows.append(("priority", _fold(f"{p.name} {p.summary or ''}"), p.name, f"/priority/{p.priority_id}",
                     p.lead))
    priority_names = dict(zip(dataset.priorities["priority_id"], dataset.priorities["name"], strict=True))
    for i in dataset.indicators.itertuples(index=False):
        if dataset.has_data(i.indicator_id):
            rows.append(("measure", _fold(f"{i.name} {i.indicator_id}"), i.name,
                         f"/priority/{i.priority_id}#trend-{i.indicator_id}", priority_names.get(i.priority_id, "")))
    actions = access.visible_actions(include_restricted, dataset.actions)
    for a in actions.itertuples(index=False):
        rows.append(("action", _fold(f"{a.action_id} {a.title} {a.lead_agency}"), f"{a.action_id}: {a.title}",
                     f"/actions?priority={a.priority_id}", priority_names.get(a.priority_id, "")))
    for d in dataset.districts().itertuples(index=False):
        aliases = getattr(d, "aliases", "")
        aliases = aliases.replace(";", " ") if isinstance(aliases, str) else ""
        rows.append(("district", _fold(f"{d.area_name} {d.area_slug} {aliases}"), d.area_name,
                     f"/district/{d.area_slug}", d.csp_name or ""))
    for m in dataset.meetings.itertuples(index=False):
        rows.append(("meeting", _fold(m.name), m.name, f"/meeting?meeting={m.date:%Y-%m-%d}", ""))
    return tuple(rows)


def search(dataset, query: object, *, include_restricted: bool, limit: int = MAX_RESULTS) -> list[Result]:
    """What the query finds (an empty list for an empty or over-long query)."""
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        return []
    words = _fold(query).split()
    if not words:
        return []
    wanted_id = ACTION_ID.match("".join(words)) if len(words) == 1 else None
    found = []
    for kind, text, label, href, detail in _entries(dataset, include_restricted):
        terms = text.split()
        exact_id = wanted_id is not None and kind == "action" and terms and \
            ACTION_ID.match(terms[0]) and ACTION_ID.match(terms[0]).group(1) == wanted_id.group(1)
        if not exact_id and not all(any(t.startswith(w) for t in terms) for w in words):
            continue
        score = (0 if exact_id else 1, KIND_ORDER.index(kind), 0 if text.startswith(" ".join(words)) else 1, label)
        found.append((score, Result(kind, label, href, detail)))
    return [r for _, r in sorted(found, key=lambda pair: pair[0])[:limit]]
