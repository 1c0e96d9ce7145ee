"""Command line: ``python -m kcsp <command>`` (build-demo, import police-uk, import plan, import
reference, validate, users add, users token, meeting-pack)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from kcsp.settings import load_settings
from kcsp.store import Store, StoreError


def _store_dir(value: str | None) -> Path:
    return Path(value) if value else load_settings().data_dir


def cmd_build_demo(args: argparse.Namespace) -> int:
    from kcsp.demo import build_demo_tables

    out = _store_dir(args.out)
    store = Store(out)
    store.write(build_demo_tables())
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
    if args.priority and store.path("priorities").exists():
        known = set(store.read("priorities")["priority_id"])
        unknown = [p for p in args.priority if p not in known]
        if unknown:
            print(f"users add: unknown priority {unknown[0]!r}; one of {', '.join(sorted(known))}", file=sys.stderr)
            return 2
    try:
        user = add_user(settings.users_file, args.name, args.role, args.priority or [], password)
    except UserError as err:
        print(f"users add: {err}", file=sys.stderr)
        return 2
    from kcsp.authdb import AuthDB

    ended = AuthDB(settings.auth_db_path).end_sessions_of(user.name)
    scope = f" for {', '.join(user.priorities)}" if user.priorities else ""
    print(f"saved {user.name} ({user.role}{scope})" + (f"; ended {ended} session(s)" if ended else ""))
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


def cmd_meeting_pack(args: argparse.Namespace) -> int:
    from kcsp.meetings import MeetingError
    from kcsp.pack import PackError, meeting_pack

    try:
        result = meeting_pack(_store_dir(args.store), Path(args.out), args.meeting)
    except MeetingError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 2
    except PackError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 1
    print(f"wrote {result.path}: {result.pages} page(s), one per priority ({result.sections}), "
          f"for {result.meeting.name}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m kcsp", description="Kent Community Safety dashboard tools")
    sub = root.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build-demo", help="build the default store (real police.uk data + illustrative series)")
    build.add_argument("--out", help="store folder (default: $KCSP_DATA_DIR)")
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

    val = sub.add_parser("validate", help="check every table against its schema")
    val.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    val.set_defaults(func=cmd_validate)

    users = sub.add_parser("users", help="manage accounts")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="create or replace an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "lead", "viewer"])
    add.add_argument("--priority", action="append", help="priority id a lead may update (repeatable)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_users_add)
    token = users_sub.add_parser("token", help="issue an API token for scripts (or --list, --revoke ID|all)")
    token.add_argument("name")
    token.add_argument("--list", action="store_true", help="list the account's token ids")
    token.add_argument("--revoke", metavar="ID|all", help="revoke one token (by id) or all of the account's")
    token.set_defaults(func=cmd_users_token)

    pack = sub.add_parser("meeting-pack", help="render a meeting's pack (one page per priority) to PDF")
    pack.add_argument("--out", required=True, help="PDF file to write")
    pack.add_argument("--meeting", help="meeting date YYYY-MM-DD (default: the next meeting)")
    pack.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    pack.set_defaults(func=cmd_meeting_pack)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
