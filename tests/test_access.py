"""Who may see and do what (kcsp.access): each role's capabilities, restricted actions and withheld
figures by viewer, the home cards counted by the same rule in both modes, a role added in one place,
and no site deciding it for itself."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from kcsp import access
from kcsp.access import ALL, ANONYMOUS, OWN, Viewer
from kcsp.users import User
from tests.support import basic

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*(p for d in ("kcsp", "web", "serving", "pages", "components") for p in (ROOT / d).rglob("*.py")),
           ROOT / "app.py"]

ADMIN = User("admin", "admin", ())
LEAD = User("da-lead", "lead", ("domestic-abuse",))
VIEWER = User("viewer", "viewer", ())
ANALYST = User("analyst", "analyst", ())

EXPECTED = {
    "admin": {c: ALL for c in access.CAPABILITIES if c != access.ANSWER_ROUNDS},
    "lead": {access.SEE_PARTNER_DATA: ALL, access.UPDATE_ACTION: OWN, access.EDIT_PLAN: OWN,
             access.WRITE_PACK_TEXTS: OWN, access.ANSWER_MATTERS: OWN, access.SEE_ROUNDS: OWN,
             access.ANSWER_ROUNDS: OWN},
    "viewer": {access.SEE_PARTNER_DATA: ALL},
    "analyst": {access.SEE_PARTNER_DATA: ALL, access.IMPORT_FIGURES: ALL},
}


# --- The capability table --------------------------------------------------------------------------

@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_holds_exactly_its_capabilities(role):
    who = User(role, role, ("domestic-abuse",))
    held = {c: access.scope(who, c) for c in access.CAPABILITIES if access.scope(who, c) is not None}
    assert held == EXPECTED[role]
    assert set(access.ROLE_CAPABILITIES) == set(EXPECTED)


def test_the_public_holds_no_capability():
    for who in (None, ANONYMOUS, Viewer()):
        assert not any(access.can(who, c) for c in access.CAPABILITIES)
        assert not access.sees_restricted(who) and not access.reveals_withheld(who)


def test_a_lead_acts_for_their_own_priorities_only():
    action = pd.Series({"action_id": "A001", "priority_id": "domestic-abuse"})
    assert access.can(LEAD, access.UPDATE_ACTION, priority="domestic-abuse")
    assert access.can(LEAD, access.UPDATE_ACTION, action=action)
    assert access.can(LEAD, access.UPDATE_ACTION, action={"priority_id": "domestic-abuse"})
    assert not access.can(LEAD, access.UPDATE_ACTION, priority="vawg")
    assert access.can(LEAD, access.UPDATE_ACTION), "a lead may update actions in principle (the button is offered)"
    assert access.can(ADMIN, access.UPDATE_ACTION, priority="vawg")
    assert not access.can(VIEWER, access.UPDATE_ACTION, priority="domestic-abuse")
    assert LEAD.can_update("domestic-abuse") and not LEAD.can_update("vawg") and ADMIN.can_update("vawg")
    assert ANALYST.can_import and ADMIN.can_import and not LEAD.can_import and not VIEWER.can_import


def test_an_unknown_capability_is_a_mistake_not_a_refusal():
    with pytest.raises(KeyError):
        access.can(ADMIN, "fly")


def test_a_viewer_wraps_a_user_or_nobody():
    assert access.viewer(None) == ANONYMOUS and not ANONYMOUS.signed_in
    seen = access.viewer(LEAD)
    assert access.viewer(seen) is seen
    assert (seen.signed_in, seen.name, seen.role, seen.priorities) == (True, "da-lead", "lead", ("domestic-abuse",))


def test_cache_keys_separate_audiences_and_accounts():
    assert access.audience(None) == access.PUBLIC
    assert {access.audience(u) for u in (ADMIN, LEAD, VIEWER, ANALYST)} == {access.PARTNERS}
    keys = {access.cache_key(u) for u in (None, ADMIN, LEAD, VIEWER, ANALYST)}
    assert len(keys) == 5 and access.cache_key(None) == (access.PUBLIC,)
    assert access.cache_key(LEAD) == access.cache_key(User("da-lead", "lead", ("domestic-abuse",), email="x@y.org"))


# --- Restricted actions ----------------------------------------------------------------------------

def test_restricted_actions_are_hidden_from_the_public(dataset):
    restricted = dataset.actions.loc[dataset.actions["classification"] != "public", "action_id"]
    assert not restricted.empty
    public = access.visible_actions(None, dataset.actions)
    assert set(public["action_id"]).isdisjoint(restricted)
    assert len(access.visible_actions(VIEWER, dataset.actions)) == len(dataset.actions)
    assert access.visible_actions(False, dataset.actions).equals(public)
    status = dataset.action_status(include_restricted=access.sees_restricted(None))
    assert set(status["action_id"]).isdisjoint(restricted)
    assert dataset.action(restricted.iloc[0], include_restricted=access.sees_restricted(None)) is None
    assert dataset.action(restricted.iloc[0], include_restricted=access.sees_restricted(VIEWER)) is not None


def test_search_finds_restricted_actions_for_signed_in_viewers_only(dataset):
    from kcsp import search

    row = dataset.actions[dataset.actions["classification"] != "public"].iloc[0]
    found = {r.label for r in search.search(dataset, row["action_id"], include_restricted=access.sees_restricted(None))}
    assert not any(label.startswith(row["action_id"]) for label in found)
    found = {r.label for r in search.search(dataset, row["action_id"],
                                            include_restricted=access.sees_restricted(VIEWER))}
    assert any(label.startswith(row["action_id"]) for label in found)


# --- Withheld values -------------------------------------------------------------------------------

def test_withheld_figures_are_revealed_to_signed_in_viewers_only(tmp_path):
    from tests.fixture_store import KENT_DISTRICTS, monthly, small_store

    thanet = "E07000114"
    rows = []
    for i, code in enumerate(KENT_DISTRICTS):
        rows += monthly("road-casualties", [code], "2024-11", [3] * 24 if code == thanet
                        else [1000 + 37 * i + m for m in range(24)])
    _, ds = small_store(tmp_path / "store", rows, pd.Timestamp("2026-11-27"))
    public = ds.trend("road-casualties", thanet, None, None, reveal=access.reveals_withheld(None))
    assert 3 not in set(public["value"].dropna())
    for user in (ADMIN, LEAD, VIEWER, ANALYST):
        seen = ds.trend("road-casualties", thanet, None, None, reveal=access.reveals_withheld(user))
        assert set(seen["value"].dropna()) == {3}


# --- The home cards --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app_module():
    import app

    return app


def _card_counts(app_module, monkeypatch, headers: dict, **params) -> dict[str, dict[str, int]]:
    from components.priority_card import priority_card as real
    from pages import overview

    seen: dict[str, dict[str, int]] = {}

    def recording(**kwargs):
        seen[kwargs["priority"]["priority_id"]] = kwargs["counts"]
        return real(**kwargs)

    monkeypatch.setattr(overview, "priority_card", recording)
    with app_module.server.test_request_context("/", headers=headers):
        overview.layout(**params)
    return seen


def _rule_counts(ds, user, district) -> dict[str, dict[str, int]]:
    from kcsp import briefing

    briefs = briefing.priority_briefs(ds, district=district, data_end=ds.today, since=None, as_at=ds.today,
                                      previous_name=None, include_restricted=access.sees_restricted(user))
    return {b.priority_id: b.counts for b in briefs}


@pytest.mark.parametrize(("name", "user", "district"), [(None, None, None), (None, None, "thanet"),
                                                        ("viewer", VIEWER, None), ("da-lead", LEAD, "thanet")])
def test_home_cards_count_actions_by_viewer_and_district_as_committee_mode_does(app_module, monkeypatch, name, user,
                                                                                district):
    from kcsp import runtime

    ds = runtime.dataset()
    params = {"district": district} if district else {}
    cards = _card_counts(app_module, monkeypatch, basic(name) if name else {}, **params)
    expected = _rule_counts(ds, user, district)
    assert cards == expected


def test_home_cards_change_with_the_viewer_and_the_district(app_module, monkeypatch):
    public = _card_counts(app_module, monkeypatch, {})
    partners = _card_counts(app_module, monkeypatch, basic("viewer"))
    local = _card_counts(app_module, monkeypatch, basic("viewer"), district="thanet")

    def total(counts):
        return sum(sum(c.values()) for c in counts.values())

    assert total(partners) > total(public), "signed-in viewers count restricted actions too"
    assert total(local) < total(partners), "a district counts its own and county-wide actions only"


# --- A new role --------------------------------------------------------------------------------------

def test_a_role_added_to_the_table_works_everywhere(tmp_path, monkeypatch, app_module):
    from kcsp import runtime, users
    from kcsp.settings import load_settings
    from pages import audit

    monkeypatch.setitem(access.ROLE_CAPABILITIES, "auditor", {access.SEE_PARTNER_DATA: ALL, access.SEE_AUDIT: ALL})
    path = tmp_path / "users.csv"
    saved = users.add_user(path, "auditor", "auditor", [], "auditor-pass-1")
    assert access.can(saved, access.SEE_AUDIT) and not access.can(saved, access.UPDATE_ACTION, priority="vawg")
    assert access.sees_restricted(saved) and access.reveals_withheld(saved)
    monkeypatch.setitem(access.ROLE_CAPABILITIES, "steward", {access.UPDATE_ACTION: OWN})
    with pytest.raises(users.UserError, match="needs at least one --priority"):
        users.add_user(path, "steward", "steward", [], "steward-pass-1")
    runtime.configure(load_settings({"KCSP_SECRET_KEY": "test-secret-key", "KCSP_USERS_FILE": str(path),
                                     "KCSP_DATA_DIR": str(runtime.settings().data_dir)}))
    try:
        import base64

        token = base64.b64encode(b"auditor:auditor-pass-1").decode()
        client = app_module.server.test_client()
        response = client.get("/api/audit.csv", headers={"Authorization": f"Basic {token}"})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        with app_module.server.test_request_context("/", headers={"Authorization": f"Basic {token}"}):
            assert "Only administrators" not in str(audit.layout())
    finally:
        runtime.configure()


def test_an_unknown_role_is_refused_and_holds_nothing(tmp_path):
    from kcsp import users

    with pytest.raises(users.UserError, match="role must be one of"):
        users.add_user(tmp_path / "users.csv", "someone", "superuser", [], "long-enough-1")
    assert not any(access.can(User("x", "superuser", ()), c) for c in access.CAPABILITIES)


# --- Nobody decides it for themselves ----------------------------------------------------------------

def _offenders(pattern: str, allowed: set[str]) -> list[str]:
    found = re.compile(pattern)
    return [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if str(p.relative_to(ROOT)) not in allowed
            for n, line in enumerate(p.read_text().splitlines(), 1) if found.search(line)]


def test_classification_is_compared_only_in_the_access_module():
    assert _offenders(r"""classification\b["']?\]?\s*(==|!=)|(==|!=)\s*["'](public|restricted)["']""",
                      {"kcsp/access.py"}) == []


def test_signed_in_is_asked_of_the_access_module_not_of_request_user():
    assert _offenders(r"request_user\(\)\s+is\s+(not\s+)?None", {"web/auth.py"}) == []


def test_role_names_are_compared_only_in_the_access_module():
    assert _offenders(r"""role\b\s*(==|!=|in|not in)\s*[(\["']|["'](admin|lead|analyst|viewer)["']\s*(==|!=)|"""
                      r"""(==|!=)\s*["'](admin|lead|analyst|viewer)["']""", {"kcsp/access.py"}) == []
