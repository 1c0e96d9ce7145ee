"""The commands of ``python -m kcsp`` that need the serving layer: `meeting-pack` (gunicorn and headless
Chromium) and `rounds open` / `rounds send-due` (mail over SMTP with serving.mail).

They register onto the domain's command line (kcsp.cli.parser), so the one program offers every
command; only the program's entry point (kcsp.__main__) imports this module, and the domain package
never imports serving (the import contracts in pyproject.toml hold it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kcsp import cli
from kcsp.store import Store


def cmd_meeting_pack(args: argparse.Namespace) -> int:
    from kcsp.meetings import MeetingError
    from serving.pack import PackError, meeting_pack

    try:
        result = meeting_pack(cli._store_dir(args.store), Path(args.out), args.meeting, args.district)
    except MeetingError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 2
    except PackError as err:
        print(f"meeting-pack: {err}", file=sys.stderr)
        return 1
    print(f"wrote {result.path}: {result.pages} page(s), a cover, then each of {result.sections} priorities "
          f"from a new page, for {result.meeting.name}")
    return 0


def _send(store: Store, **only) -> int:
    """Send the mail due now (kcsp.mailing; over SMTP with serving.mail) and print what happened."""
    from kcsp import audit, mailing
    from kcsp.settings import load_settings
    from serving.mail import connect

    settings = load_settings()
    try:
        report = mailing.send_due(store, settings, connect, by=audit.cli_user(), **only)
    except mailing.MailError as err:
        print(f"rounds: {err}", file=sys.stderr)
        return 1
    for meeting_id, kind, name, mid in report.unconfirmed:
        print(f"not confirmed: the {kind} to {name} for {meeting_id} ({mid}) may have been sent: look it up in the "
              "mail server's log (it is not sent again)", file=sys.stderr)
    if report.off:
        print(f"mail is off (KCSP_SMTP_HOST is not set): nothing sent ({len(report.due)} message(s) would be due)")
        for p in report.due:
            print(f"  would send the {p.kind} to {p.user.name} for {p.meeting_id}")
        return 0
    if not report.outcomes:
        print("nothing is due")
    for o in report.outcomes:
        said = {"sent": "sent", "failed": "refused:", "unconfirmed": "not confirmed:", "skipped": "left for later:"}
        print(f"{said[o.step]} the {o.kind} to {o.recipient} for {o.meeting_id} {o.message_id} {o.detail}".rstrip(),
              file=sys.stdout if o.step == "sent" else sys.stderr)
    return 0 if report.ok else 1


def cmd_rounds_open(args: argparse.Namespace) -> int:
    from kcsp import audit, rounds

    store = Store(cli._store_dir(args.store))
    try:
        round_, opened = rounds.open_round(store, audit.cli_user(), args.meeting, args.due)
    except rounds.RoundError as err:
        print(f"rounds open: {err}", file=sys.stderr)
        return 2
    done = "opened the update round" if opened else "moved the deadline of the update round"
    print(f"{done} for {round_.meeting.name}: {len(round_.action_ids)} action(s) due an update by "
          f"{round_.due:%Y-%m-%d}")
    return _send(store, meeting_id=round_.meeting_id, kinds=("request",)) if opened else 0


def cmd_rounds_send_due(args: argparse.Namespace) -> int:
    return _send(Store(cli._store_dir(args.store)))


def register(sub: argparse._SubParsersAction) -> None:
    """Add meeting-pack and rounds to the command line's subcommands."""
    pack = sub.add_parser("meeting-pack", help="render a meeting's pack (a cover, then one page per priority) to PDF")
    pack.add_argument("--out", required=True, help="PDF file to write")
    pack.add_argument("--meeting", help="meeting date YYYY-MM-DD (default: the next meeting)")
    pack.add_argument("--district", help="district slug (e.g. thanet): its figures beside the county's")
    pack.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    pack.set_defaults(func=cmd_meeting_pack)

    rnd = sub.add_parser("rounds", help="update rounds before a meeting, and the mail they send")
    rnd_sub = rnd.add_subparsers(dest="action", required=True)
    rnd_open = rnd_sub.add_parser("open", help="open a meeting's update round (every open action is due an update "
                                               "from its lead) and mail the leads; again with --due: move its deadline")
    rnd_open.add_argument("--meeting", required=True, metavar="MEETING_ID", help="e.g. working-group-2027-01-28")
    rnd_open.add_argument("--due", metavar="YYYY-MM-DD", help="the deadline (default: a week before the meeting)")
    rnd_open.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    rnd_open.set_defaults(func=cmd_rounds_open)
    rnd_due = rnd_sub.add_parser("send-due", help="send every email due now (requests, reminders, digests) and exit; "
                                                  "for the scheduler: run again, it sends nothing twice")
    rnd_due.add_argument("--store", help="store folder (default: $KCSP_DATA_DIR)")
    rnd_due.set_defaults(func=cmd_rounds_send_due)


def main(argv: list[str] | None = None) -> int:
    """The whole command line: the domain's commands and these."""
    return cli.main(argv, extensions=(register,))
