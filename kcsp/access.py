"""Who may see and do what: the one rule for restricted actions, withheld small numbers and each role's
capabilities.

A viewer is anonymous (the public) or a signed-in account (kcsp.users.User). What a role may do is the
table ROLE_CAPABILITIES, role -> capability -> scope: ALL (anything of its kind) or OWN (only for the
priorities the account leads). Adding a role, or changing what one may do, is a change to that table
alone; the users file, the command line and every page, callback, route, CSV, pack and cache key ask
this module.

- Restricted items: an action whose classification is not "public" is seen only by viewers with
  SEE_PARTNER_DATA (every signed-in role); `visible_actions` is the one classification filter.
- Withheld values: figures the small-number rule (kcsp.disclosure) withholds or rounds are shown
  exactly (`reveal=True`) to the same viewers, marked not for publication.
- Caches that hold what a viewer sees key it by `audience` (the data: "public" or "partners") or by
  `cache_key` (the data and the account's own controls).

The web layer finds the signed-in user (web.auth.request_user) and passes it here; this module knows
nothing of requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from kcsp.users import User

PUBLIC = "public"
"""The classification of an action anyone may see; and the audience of anonymous viewers."""
PARTNERS = "partners"
"""The audience of signed-in viewers: restricted actions and exact small numbers."""
AUDIENCES = (PUBLIC, PARTNERS)

SEE_PARTNER_DATA = "see-partner-data"
UPDATE_ACTION = "update-action"
EDIT_PLAN = "edit-plan"
RUN_PLAN = "run-plan"
MANAGE_MEETINGS = "manage-meetings"
IMPORT_FIGURES = "import-figures"
PUBLISH_PACKS = "publish-packs"
WRITE_PACK_TEXTS = "write-pack-texts"
WRITE_INTRODUCTION = "write-introduction"
RAISE_MATTERS = "raise-matters"
ANSWER_MATTERS = "answer-matters"
WITHDRAW_MATTERS = "withdraw-matters"
SEE_AUDIT = "see-audit"
SEE_ROUNDS = "see-rounds"
ANSWER_ROUNDS = "answer-rounds"

CAPABILITIES: dict[str, str] = {
    SEE_PARTNER_DATA: "see restricted actions and the exact small numbers withheld from the public",
    UPDATE_ACTION: "post progress updates to actions",
    EDIT_PLAN: "propose actions and edit proposals",
    RUN_PLAN: "add actions straight into the plan and change any action's plan fields and state",
    MANAGE_MEETINGS: "add, move and cancel meetings in the calendar",
    IMPORT_FIGURES: "download templates and import partners' figures",
    PUBLISH_PACKS: "publish a meeting's pack",
    WRITE_PACK_TEXTS: "write the context of a priority in the meeting pack",
    WRITE_INTRODUCTION: "write the meeting pack's introduction",
    RAISE_MATTERS: "record matters arising at a meeting",
    ANSWER_MATTERS: "answer matters arising",
    WITHDRAW_MATTERS: "withdraw matters arising",
    SEE_AUDIT: "read the audit record",
    SEE_ROUNDS: "see the update round's board (OWN: the account's own actions in it)",
    ANSWER_ROUNDS: "be asked for updates in a round, and choose whether to get its emails",
}
"""Every capability, with what it lets a viewer do."""

ALL = "all"
"""Scope: the capability holds for anything of its kind."""
OWN = "own"
"""Scope: the capability holds only for the priorities the account leads (User.priorities)."""

ROLE_CAPABILITIES: dict[str, dict[str, str]] = {
    "admin": {SEE_PARTNER_DATA: ALL, UPDATE_ACTION: ALL, EDIT_PLAN: ALL, RUN_PLAN: ALL, MANAGE_MEETINGS: ALL,
              IMPORT_FIGURES: ALL, PUBLISH_PACKS: ALL, WRITE_PACK_TEXTS: ALL, WRITE_INTRODUCTION: ALL,
              RAISE_MATTERS: ALL, ANSWER_MATTERS: ALL, WITHDRAW_MATTERS: ALL, SEE_AUDIT: ALL, SEE_ROUNDS: ALL},
    "lead": {SEE_PARTNER_DATA: ALL, UPDATE_ACTION: OWN, EDIT_PLAN: OWN, WRITE_PACK_TEXTS: OWN, ANSWER_MATTERS: OWN,
             SEE_ROUNDS: OWN, ANSWER_ROUNDS: OWN},
    "viewer": {SEE_PARTNER_DATA: ALL},
    "analyst": {SEE_PARTNER_DATA: ALL, IMPORT_FIGURES: ALL},
}
"""Role -> capability -> scope. The one place roles are defined: the users file and `python -m kcsp users add`
take its keys. A role that holds any capability with scope OWN needs at least one priority."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the public (no user) or a signed-in account."""

    user: User | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def name(self) -> str | None:
        return None if self.user is None else self.user.name

    @property
    def role(self) -> str | None:
        return None if self.user is None else self.user.role

    @property
    def priorities(self) -> tuple[str, ...]:
        return () if self.user is None else tuple(self.user.priorities)


ANONYMOUS = Viewer()


def viewer(who: Viewer | User | None = None) -> Viewer:
    """The viewer for a signed-in user, or the public for None (a Viewer is returned as it is)."""
    return who if isinstance(who, Viewer) else Viewer(who)


def role_scope(role: str | None, capability: str) -> str | None:
    """ALL or OWN when the role holds the capability, else None (the public holds none but what is public)."""
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return ROLE_CAPABILITIES.get(role or "", {}).get(capability)


def role_can(role: str | None, capability: str) -> bool:
    """Whether a role holds the capability at all (for all, or for its own priorities)."""
    return role_scope(role, capability) is not None


def needs_priorities(role: str) -> bool:
    """Whether an account of this role needs priorities: it holds a capability only for its own."""
    return OWN in ROLE_CAPABILITIES.get(role, {}).values()


def scope(who: Viewer | User | None, capability: str) -> str | None:
    """ALL, OWN or None: how far the viewer holds the capability."""
    return role_scope(viewer(who).role, capability)


def _priority_of(action: object) -> str | None:
    if action is None:
        return None
    return str(action["priority_id"] if isinstance(action, Mapping) else action.priority_id)


def can(who: Viewer | User | None, capability: str, *, priority: str | None = None,
        action: object = None) -> bool:
    """Whether the viewer may do this. Given a priority (or an action, whose priority is taken), a capability
    held for OWN priorities holds only when the account leads it; without one, whether the viewer may
    do it to anything at all (for instance, whether to offer the button)."""
    seen = viewer(who)
    held = role_scope(seen.role, capability)
    if held is None or seen.user is None:
        return False
    wanted = priority if priority is not None else _priority_of(action)
    return held == ALL or wanted is None or wanted in seen.priorities


def sees_restricted(who: Viewer | User | None) -> bool:
    """Whether the viewer sees restricted actions (and their updates and plan changes)."""
    return can(who, SEE_PARTNER_DATA)


def reveals_withheld(who: Viewer | User | None) -> bool:
    """Whether the viewer sees withheld and rounded small numbers exactly (`reveal=True`), marked not for
    publication; the public sees them as kcsp.disclosure publishes them."""
    return can(who, SEE_PARTNER_DATA)


def is_public(classification: object) -> bool:
    """Whether an action of this classification may be seen by anyone."""
    return classification == PUBLIC


def is_restricted(classification: object) -> bool:
    """Whether an action of this classification is for signed-in viewers only (anything not public)."""
    return not is_public(classification)


def visible_actions(who: Viewer | User | bool | None, actions: pd.DataFrame) -> pd.DataFrame:
    """The rows of `actions` (any frame with a classification column) the viewer may see. `who` may be
    the answer of `sees_restricted` already (domain code memoised per audience passes that flag)."""
    shows_restricted = who if isinstance(who, bool) else sees_restricted(who)
    return actions if shows_restricted else actions[actions["classification"] == PUBLIC]


def audience(who: Viewer | User | None) -> str:
    """PARTNERS or PUBLIC: which version of the figures and actions the viewer is shown. Caches of what the
    data looks like to a viewer (packs, downloads, published packs) key it by this."""
    seen = viewer(who)
    return PARTNERS if sees_restricted(seen) and reveals_withheld(seen) else PUBLIC


def cache_key(who: Viewer | User | None) -> tuple:
    """The key of a cache of whole pages or callback answers: the audience, and for a signed-in viewer the
    account (its name, role and priorities decide the controls and words it is shown)."""
    seen = viewer(who)
    if not seen.signed_in:
        return (audience(seen),)
    return (audience(seen), seen.name, seen.role, seen.priorities)
