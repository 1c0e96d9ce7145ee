"""Published meeting packs: the PDF a meeting was presented with, kept exactly as published.

An administrator publishes a meeting's pack: each audience's PDF (`public`, what anyone downloads;
`partners`, with restricted actions, for signed-in users) is written into the store's `packs/`
folder and recorded in `published_packs` with who, when and its SHA-256. Downloads of that meeting's
pack then serve the file as published. A correction is a new version, with its reason; earlier
versions stay listed and can still be downloaded. Files are written atomically before their row, so
a row always names a complete file; a file whose bytes no longer match its SHA-256 is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from kcsp import access, audit
from kcsp.schema import PACK_AUDIENCES, TABLES
from kcsp.store import Commit, Store, write_file_atomically
from kcsp.text import clean_text
from kcsp.updates import Forbidden, Invalid, NotSignedIn
from kcsp.users import User

FOLDER = "packs"
MAX_REASON = TABLES["published_packs"].column("reason").max_length or 2000


class PublishedPackDamaged(RuntimeError):
    """A published pack's file is missing or no longer matches its SHA-256."""


@dataclass(frozen=True)
class Published:
    meeting_id: str
    version: int
    sha256: dict[str, str]
    """SHA-256 of each audience's PDF."""


def _admin(user: User | None) -> User:
    if user is None:
        raise NotSignedIn("sign in as an administrator to publish a meeting pack")
    if not access.can(user, access.PUBLISH_PACKS):
        raise Forbidden("only administrators may publish a meeting pack")
    return user


def check_request(tables: dict[str, pd.DataFrame], user: User | None, meeting_id: object,
                  reason: object) -> tuple[str, int, str | None]:
    """The meeting, the version a publication would make, and its cleaned reason; NotSignedIn, Forbidden
    or Invalid (per field) when it may not be published. Checked before any pack is rendered."""
    _admin(user)
    meeting_ids = set(tables["meetings"].loc[~tables["meetings"]["cancelled"].astype(bool), "meeting_id"])
    if not isinstance(meeting_id, str) or meeting_id not in meeting_ids:
        raise Invalid({"meeting_id": f"{meeting_id!r} is not a meeting in the calendar"})
    version = next_version(tables["published_packs"], meeting_id)
    text = clean_text(reason) if isinstance(reason, str) else None
    if reason is not None and not isinstance(reason, str):
        raise Invalid({"reason": "must be text"})
    if version > 1 and not text:
        raise Invalid({"reason": f"version {version - 1} is published already: a correction needs its reason"})
    if text and len(text) > MAX_REASON:
        raise Invalid({"reason": f"is longer than {MAX_REASON} characters"})
    return meeting_id, version, text or None


def next_version(published: pd.DataFrame, meeting_id: str) -> int:
    mine = published.loc[published["meeting_id"] == meeting_id, "version"]
    return int(mine.max()) + 1 if len(mine) else 1


def versions(published: pd.DataFrame, meeting_id: str) -> pd.DataFrame:
    """Every published version of a meeting's pack, newest first (one row per version and audience)."""
    mine = published[published["meeting_id"] == meeting_id]
    return mine.sort_values(["version", "audience"], ascending=[False, True]).reset_index(drop=True)


def chosen(published: pd.DataFrame, meeting_id: str, audience: str, version: int | None = None) -> pd.Series | None:
    """The version asked for (default: the latest) of a meeting's pack for an audience, or None."""
    mine = published[(published["meeting_id"] == meeting_id) & (published["audience"] == audience)]
    if version is not None:
        mine = mine[mine["version"] == version]
    return None if mine.empty else mine.sort_values("version").iloc[-1]


def read_pdf(store: Store, row: pd.Series) -> bytes:
    """The published file's bytes, checked against the SHA-256 recorded when it was published."""
    path = store.root / row["file"]
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PublishedPackDamaged(f"{row['file']} cannot be read: {err.strerror or err}") from None
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise PublishedPackDamaged(f"{row['file']} no longer matches the SHA-256 it was published with")
    return data


def publish(store: Store, user: User | None, meeting_id: object, pdfs: dict[str, tuple[bytes, int]],
            reason: object = None) -> Published:
    """Keep each audience's PDF (bytes, pages) as the meeting's next published version, with an audit
    entry, in one locked write. The version is decided under the lock, so two publications at once
    make two versions (the second needs its reason as any correction does)."""
    if set(pdfs) != set(PACK_AUDIENCES) or not all(pdf.startswith(b"%PDF-") and pages > 0
                                                    for pdf, pages in pdfs.values()):
        raise ValueError("a pack is published as one PDF for each audience")
    by = _admin(user).name
    result: dict[str, Published] = {}

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        mid, version, why = check_request(tables, user, meeting_id, reason)
        at = audit.timestamp()
        rows, digests = [], {}
        for audience in PACK_AUDIENCES:
            pdf, pages = pdfs[audience]
            digest = hashlib.sha256(pdf).hexdigest()
            name = f"{FOLDER}/{mid}-v{version}-{audience}.pdf"
            write_file_atomically(store.root / name, pdf)
            digests[audience] = digest
            rows.append({"meeting_id": mid, "version": version, "audience": audience, "sha256": digest,
                         "file": name, "bytes": len(pdf), "pages": pages, "published_by": by,
                         "published_at": at, "reason": why})
        detail = f"version {version}" + (f": {why}" if why else "") + f"; public SHA-256 {digests['public']}"
        note = audit.entry(tables["audit"], by, "publish-pack", mid, detail, at)
        result["done"] = Published(mid, version, digests)
        return Commit({"audit": note, "published_packs": pd.DataFrame(rows)}, {})

    store.commit(change, reading=("meetings", "published_packs", "audit"))
    return result["done"]
