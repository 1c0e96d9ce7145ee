"""Command line: ``python -m kcsp <command>`` (build-demo, import police-uk, validate, users add,
meeting-pack).

An entry point above the layers: `meeting-pack` uses the serving layer (gunicorn and Chromium), which the
rest of the domain package never imports (see the import contract in pyproject.toml).
"""

from __future__ import annotations

import argparse
import sys
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


def cmd_import_police_uk(args: argparse.Namespace) -> int:
    from kcsp.importers.police_uk import ImportFailed, import_police_uk

    store = Store(_store_dir(args.store))
    try:
        report = import_police_uk(store, [Path(p) for p in args.paths])
    except ImportFailed as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print(f"import failed: {len(err.problems)} problem(s); the store was not changed", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0


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
    scope = f" for {', '.join(user.priorities)}" if user.priorities else ""
    print(f"saved {user.name} ({user.role}{scope})")
    return 0


def cmd_meeting_pack(args: argparse.Namespace) -> int:
    from kcsp.meetings import MeetingError
    from serving.pack import PackError, meeting_pack

    try:
        result = meeting_pack(_store_dir(args.store), Path(args.out), args.meeting, args.district)
    except MeetingError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 2
    except PackError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 1
    print(f"wrote {result.path}: {result.pages} page(s), a cover and one per priority ({result.sections}), "
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

    pack = sub.add_parser("meeting-pack", help="render a meeting's pack (a cover, then one page per priority) to PDF")
    pack.add_argument("--out", required=True, help="PDF file to write")
    pack.add_argument("--meeting", help="meeting date YYYY-MM-DD (default: the next meeting)")
    pack.add_argument("--district", help="district slug (e.g. thanet): its figures beside the county's")
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
