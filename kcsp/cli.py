"""Command line: ``python -m kcsp <command>`` (build-demo, convert-open-data, import police-uk, import
indicator, import plan, import reference, indicators add / edit, validate, users add, users token,
meeting-pack, rounds open, rounds send-due).

The commands that need the serving layer, `meeting-pack` (gunicorn and Chromium) and `rounds` (its
mail sender, SMTP), live in serving/cli.py and register onto this parser; the program's entry point
(kcsp.__main__) joins them, and the domain package never imports serving (the import contracts in
pyproject.toml).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kcsp import access
from kcsp.settings import load_settings
from kcsp.store import Store, StoreError


def _store_dir(value: str | None) -> Path:
    return Path(value) if value else load_settings().data_dir


def cmd_build_demo(args: argparse.Namespace) -> int:
    from kcsp.demo import build_demo_tables

    out = _store_dir(args.out)
    store = Store(out)
    store.write(build_demo_tables(folder=Path(args.partnership) if args.partnership else None))
    counts = {name: len(store.read(name)) for name in ("observations", "indicators", "actions", "action_updates")}
    print(f"built the demonstration store in {out}")
    for name, rows in counts.items():
        print(f"  {name}: {rows} rows")
    return 0


def _run_import(run) -> int:
    """Run an import; print its report (exit 0), or every problem (exit 1, the store unchanged)."""
    from kcsp.importers.common import ImportFailed

    try:
        report = run()
    except ImportFailed as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"import failed: {err.total} problem(s); the store was not changed", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0


def cmd_import_police_uk(args: argparse.Namespace) -> int:
    from kcsp.importers.police_uk import import_police_uk

    store = Store(_store_dir(args.store))
    return _run_import(lambda: import_police_uk(store, [Path(p) for p in args.paths]))


def cmd_import_plan(args: argparse.Namespace) -> int:
    from kcsp.importers.plan import import_plan

    store = Store(_store_dir(args.store))
    return _run_import(lambda: import_plan(store, Path(args.file), dry_run=args.dry_run))


def cmd_import_reference(args: argparse.Namespace) -> int:
    from kcsp.importers.reference import import_reference

    store = Store(_store_dir(args.store))
    return _run_import(lambda: import_reference(store, Path(args.folder), dry_run=args.dry_run))
def cmd_import_indicator(args: argparse.Namespace) -> int:
    import getpass

    from kcsp.importers.indicator import ImportFailed, import_file

    store = Store(_store_dir(args.store))
    try:
        plan = import_file(store, args.indicator, args.file, sheet=args.sheet, source=args.source,
                           who=getpass.getuser(), dry_run=args.dry_run)
    except ImportFailed as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"import failed: {err.total} problem(s); the store was not changed", file=sys.stderr)
        return 1
    for line in plan.lines(dry_run=args.dry_run):
        print(line)
    return 0


def _indicator_fields(args: argparse.Namespace) -> dict[str, str | None]:
    from kcsp.indicators import FIELDS

    return {name: getattr(args, name) for name in FIELDS}


def cmd_indicators_add(args: argparse.Namespace) -> int:
    from kcsp.indicators import IndicatorError, add_indicator

    try:
        add_indicator(Store(_store_dir(args.store)), args.indicator_id, _indicator_fields(args))
    except IndicatorError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"added {args.indicator_id}: import its figures with "
          f"python -m kcsp import indicator --indicator {args.indicator_id} FILE")
    return 0


def cmd_indicators_edit(args: argparse.Namespace) -> int:
    from kcsp.indicators import IndicatorError, edit_indicator

    try:
        changed = edit_indicator(Store(_store_dir(args.store)), args.indicator_id, _indicator_fields(args))
    except IndicatorError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    if not changed:
        print(f"{args.indicator_id}: nothing changed")
    for name, (old, new) in changed.items():
        print(f"{args.indicator_id}.{name}: {old!r} -> {new!r}")
    return 0


def cmd_convert_open_data(args: argparse.Namespace) -> int:
    from kcsp import opendata

    source = Path(args.source) if args.source else opendata.SOURCE_DIR
    folder = Path(args.partnership) if args.partnership else opendata.PARTNERSHIP_DIR
    for path, rows in opendata.convert(source, folder, boundaries=True if args.boundaries else None).items():
        print(f"wrote {path}: {rows} {'features' if path.suffix == '.geojson' else 'rows'}")
    return 0


def _indicator_options(cmd: argparse.ArgumentParser, *, new: bool) -> None:
    from kcsp.schema import DISCLOSURES, FREQUENCIES, POLARITIES

    cmd.add_argument("indicator_id", help="identifier: lower case with hyphens, e.g. marac-repeat-cases")
    cmd.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    cmd.add_argument("--priority", dest="priority_id", required=new, help="priority id it informs")
    cmd.add_argument("--name", required=new)
    cmd.add_argument("--unit", required=new, help="what one is counted in, e.g. cases")
    cmd.add_argument("--polarity", choices=POLARITIES, required=new)
    cmd.add_argument("--frequency", choices=FREQUENCIES, required=new)
    cmd.add_argument("--geography", choices=("district", "county"), required=new)
    cmd.add_argument("--coverage", metavar="COVERAGE",
                     help="areas its totals cover: county, force-area, or either total's slug (default force-area)"
                     if new else None)
    cmd.add_argument("--disclosure", choices=DISCLOSURES,
                     help="suppress-small (default): district counts 1-4 hidden from anonymous viewers"
                     if new else None)
    cmd.add_argument("--source", required=new, help="who publishes or sends it")
    cmd.add_argument("--licence")
    cmd.add_argument("--notes", help="definition")
    cmd.add_argument("--caveats")


def cmd_validate(args: argparse.Namespace) -> int:
    store = Store(_store_dir(args.store))
    problems = store.validate()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {store.root}", file=sys.stderr)
        return 1
    print(f"{store.root}: every table matches its schema")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from kcsp.users import UserError, add_user

    if not args.password_stdin:
        print("give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    settings = load_settings()
    store = Store(settings.data_dir)
    wanted = [*(args.priority or []), *(args.follow_priority or [])]
    if wanted and store.path("priorities").exists():
        known = set(store.read("priorities")["priority_id"])
        unknown = [p for p in wanted if p not in known]
        if unknown:
            print(f"users add: unknown priority {unknown[0]!r}; one of {', '.join(sorted(known))}", file=sys.stderr)
            return 2
    if args.follow_district and store.path("areas").exists():
        known = set(store.read("areas")["area_slug"])
        unknown = [d for d in args.follow_district if d not in known]
        if unknown:
            print(f"users add: unknown district {unknown[0]!r}; one of {', '.join(sorted(known))}", file=sys.stderr)
            return 2
    mail = {name: value for name, value in (("email", args.email), ("follow_priorities", args.follow_priority),
                                            ("follow_districts", args.follow_district), ("digest", args.digest))
            if value is not None}
    try:
        user = add_user(settings.users_file, args.name, args.role, args.priority or [], password, **mail)
    except UserError as err:
        print(f"users add: {err}", file=sys.stderr)
        return 2
    from kcsp.authdb import AuthDB

    ended = AuthDB(settings.auth_db_path).end_sessions_of(user.name)
    scope = f" for {', '.join(user.priorities)}" if user.priorities else ""
    address = f", {user.email}" if user.email else ""
    print(f"saved {user.name} ({user.role}{scope}{address})" + (f"; ended {ended} session(s)" if ended else ""))
    return 0


def cmd_users_token(args: argparse.Namespace) -> int:
    """Issue (default), list or revoke API tokens of an account."""
    from kcsp.authdb import AuthDB
    from kcsp.users import find_user

    settings = load_settings()
    db = AuthDB(settings.auth_db_path)
    if args.list:
        for token_id, created in db.tokens_of(args.name):
            print(f"{token_id}  created {datetime.fromtimestamp(created, UTC):%Y-%m-%d %H:%M}Z")
        return 0
    if args.revoke:
        which = None if args.revoke == "all" else args.revoke
        count = db.revoke_tokens(args.name, which)
        if which is not None and not count:
            print(f"users token: {args.name} has no token {which}", file=sys.stderr)
            return 2
        print(f"revoked {count} token(s) of {args.name}")
        return 0
    if find_user(settings.users_file, args.name) is None:
        print(f"users token: there is no account {args.name!r} (add it with users add)", file=sys.stderr)
        return 2
    token_id, token = db.issue_token(args.name)
    print(f"token {token_id} for {args.name} (shown once; send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


def parser(*extensions: Callable[[argparse._SubParsersAction], None]) -> argparse.ArgumentParser:
    """The domain's commands, then those each extension registers (serving.cli adds meeting-pack and rounds)."""
    root = argparse.ArgumentParser(prog="python -m kcsp", description="Community safety dashboard tools")
    sub = root.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build-demo", help="build the default store (real police.uk data + illustrative series)")
    build.add_argument("--out", help="store folder (default: $KCSP_DATA_DIR)")
    build.add_argument("--partnership", metavar="FOLDER",
                       help="the partnership's folder (default: data/partnerships/kent)")
    build.set_defaults(func=cmd_build_demo)

    imp = sub.add_parser("import", help="import data into a store")
    imp_sub = imp.add_subparsers(dest="source", required=True)
    police = imp_sub.add_parser("police-uk", help="data.police.uk street-level crime files")
    police.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    police.add_argument("paths", nargs="+", help="*-street.csv[.gz] files, folders or .zip downloads")
    police.set_defaults(func=cmd_import_police_uk)
    plan = imp_sub.add_parser("plan", help="a year's action plan (XLSX or CSV): add, change and retire actions")
    plan.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    plan.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
    plan.add_argument("file", help="the plan as .xlsx or .csv")
    plan.set_defaults(func=cmd_import_plan)
    ref = imp_sub.add_parser("reference", help="edited reference tables (priorities, themes, areas, meetings, "
                                               "indicators, series breaks) into an existing store")
    ref.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    ref.add_argument("--dry-run", action="store_true", help="report what would change and write nothing")
    ref.add_argument("folder", help="folder holding any of areas.csv, priorities.csv, themes.csv, ...")
    ref.set_defaults(func=cmd_import_reference)

    partner = imp_sub.add_parser("indicator", help="one indicator's figures from a partner's CSV or XLSX")
    partner.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    partner.add_argument("--indicator", required=True, help="indicator id (see the /data page)")
    partner.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    partner.add_argument("--source", help="where the figures come from, recorded with the import")
    partner.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
    partner.add_argument("file", help="a .csv or .xlsx file")
    partner.set_defaults(func=cmd_import_indicator)

    inds = sub.add_parser("indicators", help="define or change indicators")
    inds_sub = inds.add_subparsers(dest="action", required=True)
    ind_add = inds_sub.add_parser("add", help="define a new indicator")
    _indicator_options(ind_add, new=True)
    ind_add.set_defaults(func=cmd_indicators_add)
    ind_edit = inds_sub.add_parser("edit", help="change fields of an indicator")
    _indicator_options(ind_edit, new=False)
    ind_edit.set_defaults(func=cmd_indicators_edit)

    conv = sub.add_parser("convert-open-data", help="convert the shared ONS files into a partnership's open-data/")
    conv.add_argument("--partnership", help="partnership folder (default data/partnerships/kent)")
    conv.add_argument("--source", help="folder laid out as ../shared/data (default)")
    conv.add_argument("--boundaries", action="store_true",
                      help="also write boundaries.geojson when the folder has one already")
    conv.set_defaults(func=cmd_convert_open_data)

    val = sub.add_parser("validate", help="check every table against its schema")
    val.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    val.set_defaults(func=cmd_validate)

    users = sub.add_parser("users", help="manage accounts")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create or replace an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(access.ROLE_CAPABILITIES))
    add.add_argument("--priority", action="append", help="priority id a lead may update (repeatable)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--email", help="the address the product mails (round requests, reminders, the digest)")
    add.add_argument("--follow-priority", action="append", metavar="ID",
                     help="a priority the account's digest covers (repeatable; none: every priority)")
    add.add_argument("--follow-district", action="append", metavar="SLUG",
                     help="a district the account's digest covers beside the county (repeatable)")
    add.add_argument("--digest", action=argparse.BooleanOptionalAction, default=None,
                     help="send (or stop) the digest before each meeting (an account replaced keeps its choice)")
    add.set_defaults(func=cmd_users_add)
    token = users_sub.add_parser("token", help="issue an API token for scripts (or --list, --revoke ID|all)")
    token.add_argument("name")
    token.add_argument("--list", action="store_true", help="list the account's token ids")
    token.add_argument("--revoke", metavar="ID|all", help="revoke one token (by id) or all of the account's")
    token.set_defaults(func=cmd_users_token)

    for register in extensions:
        register(sub)
    return root


def main(argv: list[str] | None = None, *,
         extensions: tuple[Callable[[argparse._SubParsersAction], None], ...] = ()) -> int:
    args = parser(*extensions).parse_args(argv)
    try:
        return args.func(args)
    except StoreError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
