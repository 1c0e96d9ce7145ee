"""A year's action plan as a partnership writes it: ``python -m kcsp import plan --store DIR
[--dry-run] FILE``.

FILE is a CSV (such as /api/actions.csv, edited), or an XLSX workbook whose actions are on a sheet
named Actions or Plan (else its first sheet). One row per action, with headings people use: Ref
(optional: blank for a new action), Priority (id or name), Action (or Title), Lead agency, Owner,
Themes (ids or names separated by ';'), Areas ('all', or districts by name or slug separated by ';'
or ','), Start, Due (YYYY-MM-DD, DD/MM/YYYY or a spreadsheet date) and Classification (public when
blank). Other columns (a status, notes) are not part of the plan: they are listed in the report and
ignored.

A workbook may also carry Priorities and Themes sheets (the columns of those store tables, the id
optional: it is made from the name): they are merged first, as ``import reference`` does, so a
priority missing from the sheet becomes past, never deleted.

Rows with a Ref the store has are compared with it: changed fields become a change of the action
(appended to action_changes through kcsp.plan's rules). Rows without one, or with a new Ref, are
added. Actions in the store but not in the file are retired (state retired, with the reason),
unless already closed, withdrawn or retired. Updates are never touched. Every problem is reported
as FILE:ROW: COLUMN: reason (FILE!SHEET and the cell for XLSX) and nothing is written; a dry run
reports what would be added, changed and retired and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from kcsp import audit
from kcsp.importers.common import ImportFailed, Problems, Sheet, find_header, header_index, read_sheets, writing
from kcsp.importers.reference import Merged, checked_merge
from kcsp.plan import EDITABLE, Known, action_text, change_rows, check_action_fields
from kcsp.reference import register_of
from kcsp.schema import TABLES
from kcsp.store import Commit, Store, as_text, check, coerce

ACTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "action_id": ("ref", "id", "action ref", "reference", "action no", "no"),
    "priority_id": ("priority",),
    "title": ("action", "description"),
    "lead_agency": ("lead agency", "agency", "lead"),
    "owner_role": ("owner", "owner role", "action owner"),
    "themes": ("theme", "cross-cutting themes", "cross cutting themes"),
    "areas": ("area", "districts", "district"),
    "start": ("start date",),
    "due": ("due date", "deadline", "end"),
    "classification": ("access",),
}
REQUIRED = ("priority_id", "title", "lead_agency", "owner_role", "areas", "start", "due")
TERMINAL = ("closed", "withdrawn", "retired")
COUNTY_WIDE = {"all", "countywide", "allareas"}
"""Words for "every area" in a plan's areas column, beside the county's name, "all of <county>" and "<county>-wide"."""
ACTION_ID = re.compile(r"^A\d{3,}$")


def _squash(text: object) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _where(sheet: Sheet, row: int, index: int) -> str:
    return f" (cell {get_column_letter(index + 1)}{row})" if "!" in sheet.name else ""


def _as_date(value: object) -> str | None:
    if isinstance(value, datetime | date):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            return f"{datetime.strptime(text, fmt):%Y-%m-%d}"
        except ValueError:
            continue
    return None


@dataclass
class PlanRow:
    row: int
    given_id: str | None
    values: dict[str, str]


@dataclass
class PlanReport:
    file: str
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    reference: list[Merged] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else "were"
        out = [f"{self.file}: {len(self.added)} action(s) {verb} added, {len(self.changed)} changed, "
               f"{len(self.retired)} retired; {self.unchanged} unchanged"]
        for label, items in (("add", self.added), ("change", self.changed), ("retire", self.retired)):
            out += [f"  {label} {aid}: {text}" for aid, text in items]
        out += [m.line() for m in self.reference]
        if self.ignored:
            out.append(f"  columns not part of the plan, ignored: {', '.join(self.ignored)}")
        out.append("dry run: nothing was written" if self.dry_run else "every update and its history kept")
        return out


def _lookup(frame: pd.DataFrame, id_col: str, name_col: str) -> dict[str, str]:
    out = {_squash(v): v for v in frame[id_col]}
    out.update({_squash(n): i for i, n in zip(frame[id_col], frame[name_col], strict=True)})
    return out


def _resolve(sheet: Sheet, columns: dict[str, int], tables: dict[str, pd.DataFrame],
             problems: Problems) -> list[PlanRow]:
    """Each row's fields as the store's ids and text, or problems naming the row and column."""
    pri = tables["priorities"]
    priorities = _lookup(pri[pri["current"].astype(bool)], "priority_id", "name")
    themes = _lookup(tables["themes"], "theme_id", "name")
    register = register_of(tables)
    local = set(register.local_codes(None))

    def area_slug(text: str) -> str | None:
        code = register.resolve(text)
        return register.slug(code) if code in local else None

    county = _squash(register.county_name)
    county_wide = COUNTY_WIDE | {county, f"allof{county}", f"{county}wide"}
    known = Known.from_tables(tables)
    out: list[PlanRow] = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        raw: dict[str, object] = {}
        bad = False

        def fail(name: str, reason: str, number=number) -> None:
            nonlocal bad
            bad = True
            index = columns[name]
            problems.add(sheet.problem(number, sheet.header[index], reason + _where(sheet, number, index)))

        def cell(name: str, cells=cells) -> object:
            return cells[columns[name]] if name in columns and columns[name] < len(cells) else None

        given = str(cell("action_id") or "").strip() or None
        if given is not None and not ACTION_ID.match(given):
            fail("action_id", f"{given!r} is not an action ref like A012 (leave it blank for a new action)")
        elif given is not None and given in seen:
            fail("action_id", f"{given} is also on row {seen[given]}")
        elif given is not None:
            seen[given] = number
        value = str(cell("priority_id") or "")
        if _squash(value) in priorities:
            raw["priority_id"] = priorities[_squash(value)]
        else:
            fail("priority_id", f"{value!r} is not a priority of the current Agreement (id or name)")
        for name in ("title", "lead_agency", "owner_role"):
            raw[name] = str(cell(name) or "")
        if "themes" in columns:
            parts = [p for p in str(cell("themes") or "").split(";") if p.strip()]
            unknown = [p.strip() for p in parts if _squash(p) not in themes]
            if unknown:
                fail("themes", f"{unknown[0]!r} is not a cross-cutting theme (id or name, separated by ';')")
            raw["themes"] = [themes[_squash(p)] for p in parts if _squash(p) in themes]
        text = str(cell("areas") or "")
        parts = [p for p in re.split(r"[;,]", text) if p.strip()]
        if len(parts) == 1 and _squash(parts[0]) in county_wide:
            raw["areas"] = "all"
        elif unknown := [p.strip() for p in parts if area_slug(p) is None]:
            fail("areas", f"{unknown[0]!r} is not a district (name or slug), nor 'all'")
        else:
            raw["areas"] = [area_slug(p) for p in parts]
        for name in ("start", "due"):
            day = _as_date(cell(name))
            if day is None:
                fail(name, f"{cell(name)!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
            raw[name] = day
        if "classification" in columns and cell("classification"):
            raw["classification"] = str(cell("classification")).strip().lower()
        if bad:
            continue
        values, found = check_action_fields(raw, known)
        for name, reason in found.items():
            fail(name if name in columns else "title", reason)
        if not bad:
            out.append(PlanRow(number, given, values))
    return out


def _sheets(path: Path) -> tuple[Sheet, Sheet | None, Sheet | None]:
    sheets = read_sheets(path)
    named = {s.name.rsplit("!", 1)[-1].strip().lower(): s for s in sheets if "!" in s.name}
    actions = named.get("actions") or named.get("plan") or next(
        (s for s in sheets if s.name.rsplit("!", 1)[-1].strip().lower() not in ("priorities", "themes")), None)
    if actions is None or not actions.header:
        raise ImportFailed([(actions or sheets[0]).problem(None, "file", "holds no actions (no heading row)")])
    return actions, named.get("priorities"), named.get("themes")


def _reference_sheet(sheet: Sheet, name: str, tables: dict[str, pd.DataFrame], problems: Problems
                     ) -> pd.DataFrame | None:
    """A Priorities or Themes sheet as that table (ids made from names where blank), typed and checked."""
    table = TABLES[name]
    id_col = table.key[0]
    headings = {c: (c.replace("_", " "),) for c in table.column_names}
    headings[id_col] = (*headings[id_col], "id")
    before = problems.total
    sheet = find_header(sheet, headings, ("name",))
    columns = header_index(sheet, headings, ("name",), problems)
    if problems.total > before:
        return None
    stored = tables[name]
    by_name = {_squash(n): i for i, n in zip(stored[id_col], stored["name"], strict=True)}
    records = {}
    for position, (number, cells) in enumerate(sheet.rows, start=1):
        row = {c: cells[i] if i < len(cells) else None for c, i in columns.items()}
        row = {c: (None if v is None or str(v).strip() == "" else str(v).strip()) for c, v in row.items()}
        if not row.get(id_col) and row.get("name"):
            row[id_col] = by_name.get(_squash(row["name"]), _slug(row["name"]))
        row.setdefault("sort_order", str(position))
        records[number] = row
    frame = pd.DataFrame.from_dict(records, orient="index")
    for c in table.column_names:
        if c not in frame and table.column(c).default is None:
            frame[c] = None
    typed, found = coerce(frame, table, filename=sheet.name, row_offset=0)
    if not found:
        found = check(typed, table, filename=sheet.name, row_offset=0)
    for problem in found:
        problems.add(problem)
    return None if found else typed


def plan_changes(tables: dict[str, pd.DataFrame], path: Path, store: Store, by: str, at: str
                 ) -> tuple[PlanReport, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """What importing the file would do to `tables`: the report, rows to append, tables to replace."""
    actions_sheet, priorities_sheet, themes_sheet = _sheets(path)
    problems = Problems()
    incoming, names = {}, {}
    for sheet, name in ((priorities_sheet, "priorities"), (themes_sheet, "themes")):
        if sheet is not None and sheet.header:
            frame = _reference_sheet(sheet, name, tables, problems)
            if frame is not None:
                incoming[name], names[name] = frame, sheet.name
    problems.raise_if_any()
    merged, replaced = checked_merge(tables, incoming, names, store) if incoming else ([], {})
    tables = {**tables, **replaced}
    ignored: list[str] = []
    actions_sheet = find_header(actions_sheet, ACTION_HEADINGS, REQUIRED)
    columns = header_index(actions_sheet, ACTION_HEADINGS, REQUIRED, problems, ignored=ignored)
    problems.raise_if_any()
    rows = _resolve(actions_sheet, columns, tables, problems)
    problems.raise_if_any()

    report = PlanReport(str(path), reference=merged, ignored=ignored)
    actions = as_text(tables["actions"])
    changes = tables["action_changes"]
    log: list[pd.DataFrame] = []
    current = {r["action_id"]: r for r in actions.to_dict("records")}
    next_number = int(tables["actions"]["action_id"].str.slice(1).astype("int64").max()) if len(actions) else 0
    in_plan = set()
    reason = f"not in the plan {path.name}"

    def record(action_id: str, revision: int, before, after, why=None) -> None:
        rows_ = change_rows(changes, action_id, revision, before, after, reason=why, by=by, at=at,
                            skip=sum(len(f) for f in log))
        log.append(rows_)

    for row in rows:
        action_id = row.given_id
        if action_id is None or action_id not in current:
            if action_id is None:
                next_number += 1
                action_id = f"A{next_number:03d}"
                while action_id in current:
                    next_number += 1
                    action_id = f"A{next_number:03d}"
            after = {**row.values, "state": "open"}
            record(action_id, 1, None, after)
            current[action_id] = {**after, "action_id": action_id, "revision": 1}
            report.added.append((action_id, after["title"]))
            in_plan.add(action_id)
            continue
        in_plan.add(action_id)
        before = action_text(pd.Series(current[action_id]))
        after = {**before, **row.values}
        if before["state"] == "retired":
            after["state"] = "open"
        diff = [n for n in EDITABLE if before[n] != after[n]]
        if not diff:
            report.unchanged += 1
            continue
        revision = int(current[action_id]["revision"] or 0) + 1
        record(action_id, revision, before, after)
        current[action_id] = {**current[action_id], **after, "revision": revision}
        report.changed.append((action_id, "; ".join(f"{n}: {before[n]} -> {after[n]}" for n in diff)))
    for action_id, existing in sorted(current.items()):
        if action_id in in_plan or existing["state"] in TERMINAL:
            continue
        before = action_text(pd.Series(existing))
        revision = int(existing["revision"] or 0) + 1
        record(action_id, revision, before, {**before, "state": "retired"}, reason)
        current[action_id] = {**existing, "state": "retired", "revision": revision}
        report.retired.append((action_id, str(existing["title"])))
    appended = {"action_changes": pd.concat(log, ignore_index=True)} if log else {}
    new_actions = pd.DataFrame(list(current.values()), columns=TABLES["actions"].column_names)
    return report, appended, {**replaced, "actions": new_actions}


def import_plan(store: Store, path: Path | str, *, dry_run: bool = False) -> PlanReport:
    """Check the plan file, then add, change and retire actions in one locked write (or only report)."""
    path = Path(path)
    by, at = f"import plan ({audit.cli_user()})", audit.timestamp()
    if dry_run:
        with writing(store):
            report = plan_changes(store.read_all(), path, store, by, at)[0]
        report.dry_run = True
        return report
    result: list[PlanReport] = []

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        report, appended, replaced = plan_changes(tables, path, store, by, at)
        result.append(report)
        detail = (f"{len(report.added)} added, {len(report.changed)} changed, {len(report.retired)} retired"
                  + "".join(f"; {m.name}: +{len(m.added)} ~{len(m.changed)}" for m in report.reference))
        note = audit.entry(tables["audit"], audit.cli_user(), "import-plan", path.name, detail, at)
        return Commit({**appended, "audit": note}, replaced)

    with writing(store):
        store.commit(change, reading=tuple(TABLES))
    return result[0]
