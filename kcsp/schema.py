"""The written schema of every store table: columns, types, allowed values and keys.

Each table is one file in the store folder. The specs below are the single source of truth: they
build the pandera schemas used on load, on import and by ``python -m kcsp validate``, and they are
rendered as the data dictionary in the README and on the /data page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

from kcsp import periods
from kcsp.disclosure import DISCLOSURES
from kcsp.vocabulary import STATUS_RANK

STATUSES = tuple(STATUS_RANK)
POLARITIES = ("lower-is-better", "higher-is-better", "no-judgement")
AREA_TYPES = ("district", "unitary", "county", "force", "unallocated")
CLASSIFICATIONS = ("public", "restricted")
ACTION_STATES = ("proposed", "open", "closed", "withdrawn", "retired")
"""proposed: put forward by a priority's lead, awaiting an admin; open: in the plan; closed: finished
or stopped by an admin; withdrawn: dropped, with a reason; retired: no longer in the year's plan."""
AUDIT_KINDS = ("update", "create", "propose", "edit", "meeting-add", "meeting-move", "meeting-cancel",
               "import-plan", "import-reference", "publish-pack", "import-police-uk", "import-indicator",
               "indicator-add",
               "indicator-edit", "matter-raise", "matter-answer", "text-write",
               "round-open", "round-move", "mail-sent", "follow", "unsubscribe")
SA_CLASSES = ("priority", "cross-cutting", "broader-theme")
COMPARATOR_MEASURES = ("count", "population", "rate-per-100000")
MATTER_STATES = ("open", "answered", "withdrawn")
"""open: awaiting its answer, carried to every later meeting; answered: the owner's lead (or an admin)
answered it; withdrawn: an admin dropped it, with a reason."""
VERSIONED_TABLES = ("partnership", "bodies", "areas", "boundaries", "population", "priorities", "themes", "indicators",
                    "series_breaks", "meetings", "strategic_assessment")
"""Reference tables: a write that changes one first keeps its old content in reference_versions."""
PACK_AUDIENCES = ("public", "partners")
MAIL_KINDS = ("request", "reminder", "digest")
"""request: a round's request to a lead; reminder: its reminder before the deadline; digest: what changed
before a meeting (kcsp.rounds, kcsp.digest)."""
MAIL_STEPS = ("claimed", "sent", "failed", "unconfirmed")
"""claimed: about to be handed to the mail server; sent: the server accepted it; failed: the server refused it
(nothing was sent: tried again by the next run); unconfirmed: the connection broke while it was being handed
over, so it may have been sent (never tried again, like a claim with no outcome: kcsp.mailing)."""

ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
FREQUENCIES = tuple(periods.FREQUENCIES)

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE = r"^[A-Z0-9]+(-[A-Z0-9]+)*$"


@dataclass(frozen=True)
class Column:
    """One column: kind is str, int, float, bool, date (YYYY-MM-DD) or datetime (ISO 8601)."""

    name: str
    kind: str
    description: str
    required: bool = True
    isin: tuple[str, ...] | None = None
    regex: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    default: str | None = None
    """Value (text, as a CSV cell) of a blank cell, and of every row when a file predates the column."""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    fmt: str = "csv"
    also_unique: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    optional: bool = False
    """An optional table may be missing from a store folder (one built before it existed): it reads as empty."""

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.fmt}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def pandera(self) -> pa.DataFrameSchema:
        return pa.DataFrameSchema(
            {c.name: _pandera_column(c) for c in self.columns},
            strict=True,
            ordered=True,
            unique=list(self.key),
        )


_DTYPES = {
    "str": "str",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "datetime": "str",
}


def _pandera_column(col: Column) -> pa.Column:
    checks = []
    if col.isin is not None:
        checks.append(pa.Check.isin(list(col.isin), error=f"must be one of {', '.join(col.isin)}"))
    if col.regex is not None:
        checks.append(pa.Check.str_matches(col.regex, error="is not in the expected form"))
    if col.min_value is not None:
        checks.append(pa.Check.ge(col.min_value, error=f"must be at least {col.min_value:g}"))
    if col.max_value is not None:
        checks.append(pa.Check.le(col.max_value, error=f"must be at most {col.max_value:g}"))
    if col.max_length is not None:
        checks.append(
            pa.Check.str_length(max_value=col.max_length, error=f"is longer than {col.max_length}")
        )
    if col.required and col.kind == "str":
        checks.append(pa.Check.str_length(min_value=1, error="must not be empty"))
    return pa.Column(_DTYPES[col.kind], checks=checks, nullable=not col.required, coerce=False)


def _c(name, kind, description, **kw) -> Column:
    return Column(name, kind, description, **kw)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "areas",
            "The partnership's areas with ONS codes: its districts and unitaries, the county, the police "
            "force area, and two codes of our own for police records outside the force area or with no "
            "location (kcsp.areas is the register that reads them).",
            (
                _c("area_code", "str", "ONS code (or a code of our own for unallocated police records)", regex=CODE),
                _c("area_name", "str", "Name as ONS publishes it"),
                _c("area_slug", "str", "Lower-case name with hyphens, used in URLs", regex=SLUG),
                _c("area_type", "str", "district, unitary, county, force or unallocated", isin=AREA_TYPES),
                _c("csp_name", "str", "Local community safety partnership", required=False),
                _c("in_csa", "bool", "Covered by the partnership's Community Safety Agreement (in the county total)"),
                _c("sort_order", "int", "Display order", min_value=0),
                _c("aliases", "str", "Other names, ;-separated: former names and names as people type them",
                   required=False),
                _c("valid_from", "date", "First day the area exists (blank: always has)", required=False),
                _c("valid_to", "date", "Last day the area exists (blank: still does)", required=False),
                _c("made_of", "str", "Codes of the earlier areas it was formed from, ;-separated", required=False),
            ),
            key=("area_code",),
            also_unique=(("area_slug",),),
        ),
        Table(
            "partnership",
            "The partnership the store is for (one row): its name, its two totals and its police force.",
            (
                _c("partnership_id", "str", "Identifier (its folder's name)", regex=SLUG),
                _c("name", "str", "Full name, e.g. as on its papers"),
                _c("short_name", "str", "Short name or initials", required=False),
                _c("county_code", "str", "ONS code of the county: the total of the areas in the Agreement", regex=CODE),
                _c("county_name", "str", "The county's name"),
                _c("force_area_code", "str", "ONS code of the police force area: the total of every local area",
                   regex=CODE),
                _c("force_area_name", "str", "The force area's name"),
                _c("police_force", "str", "The data.police.uk force slug its street files are named by", regex=SLUG),
            ),
            key=("partnership_id",),
            optional=True,
        ),
        Table(
            "bodies",
            "The bodies whose meetings the product records: the partnership's own board first.",
            (
                _c("body", "str", "Identifier, as in meetings.body", regex=SLUG),
                _c("name", "str", "Name shown to users and in new meetings' names"),
                _c("sort_order", "int", "Order: the first is the partnership's board, whose meetings make the pack",
                   min_value=0),
            ),
            key=("body",),
            optional=True,
        ),
        Table(
            "deprivation",
            "English Indices of Deprivation 2019 per local area (from the partnership folder's open data).",
            (
                _c("area_code", "str", "ONS code", regex=CODE),
                _c("area_name", "str", "Name as MHCLG publishes it"),
                _c("imd_rank", "int", "Rank of average score (1 = most deprived)", min_value=1),
                _c("imd_score", "float", "Average score"),
                _c("imd_bottom_decile", "float", "Share of its LSOAs among England's most deprived 10%",
                   min_value=0, max_value=1),
                _c("districts", "int", "Districts ranked", min_value=1),
            ),
            key=("area_code",),
            optional=True,
        ),
        Table(
            "boundaries",
            "Each local area's boundary for the maps (from the partnership folder's boundaries.geojson).",
            (
                _c("area_code", "str", "ONS code", regex=CODE),
                _c("geometry", "str", "GeoJSON geometry, as JSON text"),
            ),
            key=("area_code",),
            optional=True,
        ),
        Table(
            "population",
            "Usual residents per area and year: ONS mid-year estimates to 2020, the 2021 census, and "
            "after 2021 the 2011-2021 average yearly change carried on (method says which).",
            (
                _c("area_code", "str", "ONS code", regex=CODE),
                _c("year", "int", "Calendar year", min_value=1990, max_value=2100),
                _c("population", "int", "Usual residents", min_value=0),
                _c("method", "str", "mid-year-estimate (ONS), census, interpolated or extrapolated",
                   isin=("mid-year-estimate", "census", "interpolated", "extrapolated")),
            ),
            key=("area_code", "year"),
        ),
        Table(
            "priorities",
            "Priorities of the current Community Safety Agreement, in the order the CSA lists them.",
            (
                _c("priority_id", "str", "Identifier used in URLs", regex=SLUG),
                _c("name", "str", "Name as the CSA gives it"),
                _c("lead", "str", "Lead officer, by role"),
                _c("sort_order", "int", "Order in the CSA", min_value=0),
                _c("headline_indicator_id", "str", "Indicator shown on the overview", required=False),
                _c("summary", "str", "What the priority covers", required=False),
                _c("lead_source", "str", "Where the lead comes from", required=False),
                _c("current", "bool", "In the current Agreement (false: a past priority, kept with its history)",
                   default="true"),
            ),
            key=("priority_id",),
        ),
        Table(
            "themes",
            "Cross-cutting themes of the Community Safety Agreement; actions are tagged with them.",
            (
                _c("theme_id", "str", "Identifier", regex=SLUG),
                _c("name", "str", "Name as the CSA gives it"),
                _c("sort_order", "int", "Order in the CSA", min_value=0),
            ),
            key=("theme_id",),
        ),
        Table(
            "indicators",
            "Measures monitored for each priority, with their unit, direction and source.",
            (
                _c("indicator_id", "str", "Identifier", regex=SLUG),
                _c("priority_id", "str", "Priority it informs", regex=SLUG),
                _c("name", "str", "Name"),
                _c("unit", "str", "What one is counted in (e.g. incidents)"),
                _c("polarity", "str", "Whether a rise is good, bad or neither", isin=POLARITIES),
                _c("source", "str", "Who publishes it"),
                _c("frequency", "str", "How often a value is recorded: monthly, quarterly, yearly or "
                   "financial-year (April to March)", isin=FREQUENCIES),
                _c("geography", "str", "district: stored per district; county: one county figure",
                   isin=("district", "county")),
                _c("coverage", "str", "Areas its totals cover: county (the areas in the Agreement), force-area "
                   "(every local area), or the slug of either total", regex=SLUG),
                _c("illustrative", "bool", "Generated data standing in for a source we do not have"),
                _c("disclosure", "str", "open: every count shown; suppress-small: for anyone not signed in, "
                   "district counts of 1 to 4 withheld, the rest rounded to the nearest 5, and every total "
                   "worked out from those (kcsp.disclosure; the default: a store from before this column "
                   "withholds until told otherwise)", isin=DISCLOSURES,
                   default="suppress-small"),
                _c("measured_by", "str", "A real indicator measuring the same thing: for the periods it holds, "
                   "this one's figures are not shown (one series per thing measured)", required=False, regex=SLUG),
                _c("notes", "str", "Definition", required=False),
                _c("caveats", "str", "What to bear in mind", required=False),
                _c("licence", "str", "Licence of the data", required=False),
                _c("updated", "date", "When the figures were published or imported (blank: not recorded)",
                   required=False),
            ),
            key=("indicator_id",),
        ),
        Table(
            "observations",
            "Values at the finest geography held: indicator x area x period (a month, quarter, year or "
            "financial year, as the indicator's frequency says). Totals are computed, never stored.",
            (
                _c("indicator_id", "str", "Indicator", regex=SLUG),
                _c("area_code", "str", "Area", regex=CODE),
                _c("period", "date", "First day of the period"),
                _c("value", "int", "Count in the period", min_value=0),
                _c("import_id", "str", "The import it came from (imports table); blank for built-in data",
                   required=False, regex=r"^I\d{6,}$"),
                _c("recorded_at", "datetime", "When the value was stored (ISO 8601, UTC); blank: with the store's "
                   "build, or at its import's time", required=False, regex=ISO_UTC),
            ),
            key=("indicator_id", "area_code", "period"),
            fmt="parquet",
        ),
        Table(
            "observations_replaced",
            "Values an import replaced or took away, appended and never edited, so the figures held at any "
            "earlier date can be rebuilt (kcsp.history).",
            (
                _c("indicator_id", "str", "Indicator", regex=SLUG),
                _c("area_code", "str", "Area", regex=CODE),
                _c("period", "date", "First day of the period"),
                _c("value", "int", "The value that was replaced", min_value=0),
                _c("import_id", "str", "The import it had come from", required=False, regex=r"^I\d{6,}$"),
                _c("recorded_at", "datetime", "When it had been stored (blank: as for observations)",
                   required=False, regex=ISO_UTC),
                _c("replaced_at", "datetime", "When it was replaced (ISO 8601, UTC)", regex=ISO_UTC),
                _c("replaced_by", "str", "What replaced it (an import id or an importer)"),
                _c("replacement", "int", "Which write replaced it: 1 for the first write that replaced values, "
                   "then 2, 3...", min_value=1),
            ),
            key=("indicator_id", "area_code", "period", "replacement"),
            fmt="parquet",
            optional=True,
        ),
        Table(
            "imports",
            "Every import of a partner's file: what was read, from whom, by whom and when.",
            (
                _c("import_id", "str", "Identifier", regex=r"^I\d{6,}$"),
                _c("indicator_id", "str", "Indicator imported", regex=SLUG),
                _c("file_name", "str", "Name of the file imported"),
                _c("sha256", "str", "SHA-256 of the file's bytes", regex=r"^[0-9a-f]{64}$"),
                _c("source", "str", "Where the figures come from, as the importer said", required=False),
                _c("imported_by", "str", "Who imported it"),
                _c("imported_at", "datetime", "When (ISO 8601, UTC)",
                   regex=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
                _c("rows", "int", "Values stored", min_value=0),
                _c("periods", "str", "Periods replaced (first days, separated by ;)"),
            ),
            key=("import_id",),
        ),
        Table(
            "series_breaks",
            "Points where an indicator's series changes definition or recording; no change is "
            "computed across them.",
            (
                _c("indicator_id", "str", "Indicator", regex=SLUG),
                _c("period", "date", "First month of the new series"),
                _c("label", "str", "Short label drawn on charts"),
                _c("description", "str", "What changed and why it matters"),
            ),
            key=("indicator_id", "period"),
        ),
        Table(
            "actions",
            "Action plan: what partners committed to do for each priority.",
            (
                _c("action_id", "str", "Identifier", regex=r"^A\d{3,}$"),
                _c("priority_id", "str", "Priority", regex=SLUG),
                _c("title", "str", "What will be done", max_length=300),
                _c("lead_agency", "str", "Agency leading it"),
                _c("owner_role", "str", "Owner, by role"),
                _c("themes", "str", "Cross-cutting theme ids, separated by ;", required=False),
                _c("areas", "str", "all, or district slugs separated by ;"),
                _c("start", "date", "Start date"),
                _c("due", "date", "Due date"),
                _c("classification", "str", "public or restricted (signed-in users only)",
                   isin=CLASSIFICATIONS),
                _c("state", "str", "proposed, open, closed, withdrawn or retired", isin=ACTION_STATES,
                   default="open"),
                _c("revision", "int", "Number of changes made to the action's plan fields (action_changes)",
                   min_value=0, default="0"),
            ),
            key=("action_id",),
        ),
        Table(
            "action_changes",
            "Every change to an action's plan fields or state, appended and never edited: one row per field "
            "changed; the rows of one change share its revision.",
            (
                _c("change_id", "str", "Identifier", regex=r"^C\d{6,}$"),
                _c("action_id", "str", "Action", regex=r"^A\d{3,}$"),
                _c("revision", "int", "The action's revision this change made (1 for its creation)", min_value=1),
                _c("field", "str", "Column changed (every column, on creation)"),
                _c("before", "str", "Value before (empty on creation)", required=False),
                _c("after", "str", "Value after", required=False),
                _c("reason", "str", "Why (required when an action is withdrawn)", required=False, max_length=2000),
                _c("changed_by", "str", "Who, or which import"),
                _c("changed_at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
            ),
            key=("change_id",),
            also_unique=(("action_id", "revision", "field"),),
            optional=True,
        ),
        Table(
            "action_updates",
            "Every progress update on an action, appended and never edited: version n is the "
            "action's n-th update.",
            (
                _c("update_id", "str", "Identifier", regex=r"^U\d{6,}$"),
                _c("action_id", "str", "Action", regex=r"^A\d{3,}$"),
                _c("version", "int", "1 for the first update, then 2, 3...", min_value=1),
                _c("status", "str", "BRAG status", isin=STATUSES),
                _c("progress", "str", "Progress text", max_length=2000),
                _c("updated_by", "str", "Who made the update"),
                _c("updated_at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("illustrative", "bool", "Generated for the demonstration store"),
            ),
            key=("update_id",),
            also_unique=(("action_id", "version"),),
        ),
        Table(
            "meetings",
            "Meetings of the partnership and the bodies that review its work.",
            (
                _c("meeting_id", "str", "Identifier", regex=SLUG),
                _c("date", "date", "Date of the meeting"),
                _c("body", "str", "Which body meets (a body of the bodies table)", regex=SLUG),
                _c("name", "str", "Name shown to users"),
                _c("cancelled", "bool", "Cancelled: kept on record, left out of the calendar", default="false"),
            ),
            key=("meeting_id",),
        ),
        Table(
            "reference_versions",
            "Each reference table as it was before a write changed it, appended and never edited, so the "
            "partnership as it stood at any earlier date can be rebuilt (kcsp.history).",
            (
                _c("version_id", "str", "Identifier", regex=r"^V\d{6,}$"),
                _c("table", "str", "The table", isin=VERSIONED_TABLES),
                _c("replaced_at", "datetime", "When this content stopped being current (ISO 8601, UTC)",
                   regex=ISO_UTC),
                _c("content", "str", "The table's file as it was (CSV text)"),
            ),
            key=("version_id",),
            fmt="parquet",
            optional=True,
        ),
        Table(
            "published_packs",
            "Meeting packs as presented: each PDF kept as published, with who, when and its SHA-256; a "
            "correction is a new version with its reason, earlier versions kept.",
            (
                _c("meeting_id", "str", "Meeting", regex=SLUG),
                _c("version", "int", "1 as first published, then 2, 3... for corrections", min_value=1),
                _c("audience", "str", "public: the pack anyone may download; partners: with restricted actions",
                   isin=PACK_AUDIENCES),
                _c("sha256", "str", "SHA-256 of the PDF", regex=r"^[0-9a-f]{64}$"),
                _c("file", "str", "The PDF, in the store's packs folder", regex=r"^packs/[a-z0-9.-]+\.pdf$"),
                _c("bytes", "int", "Size of the PDF", min_value=1),
                _c("pages", "int", "Pages in the PDF", min_value=1),
                _c("published_by", "str", "Who published it"),
                _c("published_at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("reason", "str", "Why a correction was published (blank for version 1)", required=False,
                   max_length=2000),
            ),
            key=("meeting_id", "version", "audience"),
            optional=True,
        ),
        Table(
            "strategic_assessment",
            "Issues each local CSP's annual strategic assessment identified, with MoRiLE scores "
            "where the CSP used them.",
            (
                _c("year", "str", "Assessment year, e.g. 2017-18", regex=r"^\d{4}-\d{2}$"),
                _c("csp_name", "str", "Local CSP"),
                _c("issue", "str", "Issue identified"),
                _c("classification", "str", "priority, cross-cutting or broader-theme", isin=SA_CLASSES),
                _c("threat", "int", "MoRiLE threat score", required=False, min_value=0, max_value=100),
                _c("risk", "int", "MoRiLE risk score", required=False, min_value=0, max_value=100),
                _c("harm", "int", "MoRiLE harm score", required=False, min_value=0, max_value=100),
                _c("illustrative", "bool", "Split by CSP generated to match the published counts"),
            ),
            key=("year", "csp_name", "issue"),
        ),
        Table(
            "matters_arising",
            "Requests and resolutions recorded against a meeting, appended and never edited: version 1 records "
            "the matter, later versions answer, correct or withdraw it; open ones are carried to every later "
            "meeting.",
            (
                _c("matter_id", "str", "Identifier", regex=r"^M\d{4,}$"),
                _c("version", "int", "1 for the recording, then 2, 3... for each answer or change", min_value=1),
                _c("meeting_id", "str", "The meeting it was raised at", regex=SLUG),
                _c("text", "str", "What was asked or resolved", max_length=2000),
                _c("owner", "str", "The priority whose lead answers it", regex=SLUG),
                _c("report_to_meeting_id", "str", "The meeting to report to (blank: the next meeting)",
                   required=False, regex=SLUG),
                _c("state", "str", "open, answered or withdrawn", isin=MATTER_STATES),
                _c("answer", "str", "The answer given", required=False, max_length=4000),
                _c("recorded_by", "str", "Who recorded this version"),
                _c("recorded_at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("reason", "str", "Why it was withdrawn or corrected", required=False, max_length=2000),
            ),
            key=("matter_id", "version"),
            optional=True,
        ),
        Table(
            "pack_texts",
            "What the meeting pack says in the partners' words, appended and never edited: the pack's "
            "introduction and each priority's context for a meeting; version n is the n-th text written "
            "for that meeting and part.",
            (
                _c("text_id", "str", "Identifier", regex=r"^T\d{6,}$"),
                _c("meeting_id", "str", "Meeting the text was written for", regex=SLUG),
                _c("part", "str", "introduction, or the priority_id of the context", regex=SLUG),
                _c("version", "int", "1 for the first text of that meeting and part, then 2, 3...", min_value=1),
                _c("body", "str", "The text: paragraphs separated by a blank line; lines starting '- ' are "
                   "bullet points (nothing else is interpreted)", max_length=6000),
                _c("references", "str", "Sources, one per line", required=False, max_length=3000),
                _c("written_by", "str", "Who wrote it"),
                _c("written_at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("illustrative", "bool", "Written for the demonstration store", default="false"),
            ),
            key=("text_id",),
            also_unique=(("meeting_id", "part", "version"),),
            optional=True,
        ),
        Table(
            "comparators",
            "National figures an indicator's own are set beside (e.g. England's rate of deaths related to drug "
            "poisoning): only figures of the same definition, converted from ONS files (kcsp.opendata).",
            (
                _c("indicator_id", "str", "Indicator whose figures it compares with", regex=SLUG),
                _c("area_code", "str", "ONS code of the comparator area (K04000001 England and Wales, E92000001 "
                   "England)", regex=CODE),
                _c("area_name", "str", "Name of the comparator area"),
                _c("period", "date", "First day of the period, as the indicator's own periods"),
                _c("value", "float", "The comparator's figure", min_value=0),
                _c("measure", "str", "count (as the source gives it), population (residents) or "
                   "rate-per-100000 (count per 100,000 residents)", isin=COMPARATOR_MEASURES),
                _c("unit", "str", "What the figure is, in words (e.g. deaths per 100,000 residents)"),
                _c("source", "str", "Where it comes from"),
            ),
            key=("indicator_id", "area_code", "period", "measure"),
            optional=True,
        ),
        Table(
            "update_rounds",
            "Update rounds, appended and never edited: version 1 opens a meeting's round (the actions due an update "
            "from their leads, and the deadline); a later version moves the deadline. A round closes at its "
            "meeting (kcsp.rounds).",
            (
                _c("meeting_id", "str", "The meeting the round is for", regex=SLUG),
                _c("version", "int", "1 when opened, then 2, 3... for each move of the deadline", min_value=1),
                _c("due", "date", "The deadline for updates (the last day counts)"),
                _c("actions", "str", "The actions due an update, separated by ; (open and not complete when "
                   "the round opened)", required=False),
                _c("opened_by", "str", "Who opened the round or moved its deadline"),
                _c("opened_at", "datetime", "When (ISO 8601, UTC); updates from then count for the round",
                   regex=ISO_UTC),
            ),
            key=("meeting_id", "version"),
            optional=True,
        ),
        Table(
            "mail_log",
            "Every email the product sends, appended and never edited: a claim before it is handed to the mail "
            "server, then what the server said. One message per meeting, kind and person (kcsp.mailing); "
            "addresses are not kept here.",
            (
                _c("meeting_id", "str", "The round's or the digest's meeting", regex=SLUG),
                _c("kind", "str", "request, reminder or digest", isin=MAIL_KINDS),
                _c("recipient", "str", "The account mailed"),
                _c("attempt", "int", "1 for the first try, then 2, 3... after a refusal", min_value=1),
                _c("step", "str", "claimed, sent, failed or unconfirmed", isin=MAIL_STEPS),
                _c("message_id", "str", "The Message-ID header (to find it in the mail server's log)"),
                _c("subject", "str", "The subject line", max_length=300),
                _c("at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("detail", "str", "What the mail server answered, for a refusal", required=False,
                   max_length=2000),
            ),
            key=("meeting_id", "kind", "recipient", "attempt", "step"),
            optional=True,
        ),
        Table(
            "audit",
            "Every write to the store, appended and never edited: action updates, action and meeting changes, "
            "imports.",
            (
                _c("entry_id", "str", "Identifier", regex=r"^E\d{6,}$"),
                _c("at", "datetime", "When (ISO 8601, UTC)", regex=ISO_UTC),
                _c("user", "str", "Who (an account name, or the command line)"),
                _c("kind", "str", "What kind of write", isin=AUDIT_KINDS),
                _c("target", "str", "What was written (an action, meeting or file)", required=False),
                _c("detail", "str", "What changed, in words", required=False),
            ),
            key=("entry_id",),
            optional=True,
        ),
    )
}

FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("population", "area_code", "areas", "area_code"),
    ("indicators", "priority_id", "priorities", "priority_id"),
    ("observations", "indicator_id", "indicators", "indicator_id"),
    ("observations", "area_code", "areas", "area_code"),
    ("observations", "import_id", "imports", "import_id"),
    ("imports", "indicator_id", "indicators", "indicator_id"),
    ("series_breaks", "indicator_id", "indicators", "indicator_id"),
    ("comparators", "indicator_id", "indicators", "indicator_id"),
    ("boundaries", "area_code", "areas", "area_code"),
    ("actions", "priority_id", "priorities", "priority_id"),
    ("action_updates", "action_id", "actions", "action_id"),
    ("action_changes", "action_id", "actions", "action_id"),
    ("priorities", "headline_indicator_id", "indicators", "indicator_id"),
    ("matters_arising", "meeting_id", "meetings", "meeting_id"),
    ("matters_arising", "report_to_meeting_id", "meetings", "meeting_id"),
    ("matters_arising", "owner", "priorities", "priority_id"),
    ("published_packs", "meeting_id", "meetings", "meeting_id"),
    ("pack_texts", "meeting_id", "meetings", "meeting_id"),
    ("update_rounds", "meeting_id", "meetings", "meeting_id"),
    ("mail_log", "meeting_id", "meetings", "meeting_id"),
)
LIST_REFERENCES: tuple[tuple[str, str, str, str], ...] = (
    ("actions", "themes", "themes", "theme_id"),
    ("actions", "areas", "areas", "area_slug"),
    ("update_rounds", "actions", "actions", "action_id"),
)
"""Columns holding ids separated by ';' (an action's areas may also be 'all')."""
