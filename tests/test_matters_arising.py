"""Matters arising (kcsp.matters, /api/matters-arising, components.matters): raised at a meeting,
carried to every later meeting until answered, shown once more with the answer, and the same at a
cutoff whatever is recorded after it; roles, stale versions, validation, the CSV, the audit record,
and people's text shown as text."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from components.matters import matters_list_for_pack, matters_section
from kcsp import matters
from kcsp.matters import NotFound, answer_matter, for_meeting, meeting_cutoff, raise_matter
from kcsp.plan import change_meeting
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn
from kcsp.users import User
from tests.fixture_store import file_hashes
from tests.support import basic

ADMIN = User("admin", "admin", ())
DA_LEAD = User("da-lead", "lead", ("domestic-abuse",))
ROAD_LEAD = User("road-lead", "lead", ("road-safety",))
VIEWER = User("viewer", "viewer", ())

RAISED_AT = "kcsp-2025-11-20"
LATER = ["working-group-2026-01-29", "crime-and-disorder-committee-2026-02-25", "kcsp-2026-03-19",
         "kcsp-2026-07-16"]
NEW = {"meeting_id": RAISED_AT, "text": "Report the take-up of the new refuge places.", "owner": "domestic-abuse"}
FAR_FUTURE = pd.Timestamp("2100-01-01")


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def shown(store, meeting_id: str, cutoff: pd.Timestamp | None = None) -> pd.DataFrame:
    meetings = store.read("meetings")
    day = meetings.loc[meetings["meeting_id"] == meeting_id, "date"].iloc[0]
    return for_meeting(store.read("matters_arising"), meetings, meeting_id,
                       meeting_cutoff(day, FAR_FUTURE) if cutoff is None else cutoff,
                       priorities=store.read("priorities"))


def one(frame: pd.DataFrame, matter_id: str) -> pd.Series | None:
    found = frame[frame["matter_id"] == matter_id]
    return None if found.empty else found.iloc[0]


class TestCarriedUntilAnswered:
    def test_carried_to_each_meeting_then_shown_once_with_its_answer(self, writable_store):
        saved = raise_matter(writable_store, ADMIN, NEW, now=at("2025-11-20T15:00"))
        assert saved == matters.Saved("M0001", 1, "open")
        here = one(shown(writable_store, RAISED_AT), "M0001")
        assert (here["kind"], here["carried"], bool(here["due_here"])) == ("raised here", 0, False)
        first, second = (one(shown(writable_store, m), "M0001") for m in LATER[:2])
        assert (first["kind"], first["carried"], bool(first["due_here"])) == ("carried", 1, True)
        assert (second["kind"], second["carried"], bool(second["due_here"])) == ("carried", 2, False)
        assert first["owner_name"] == "Domestic Abuse" and first["raised_at_name"].endswith("20 November 2025")
        assert first["report_to_name"].endswith("29 January 2026") and pd.isna(first["report_to_meeting_id"])

        answer_matter(writable_store, DA_LEAD, "M0001", "Forty-two places taken up.", 1, now=at("2026-03-01T09:00"))
        answered = one(shown(writable_store, LATER[2]), "M0001")
        assert (answered["kind"], answered["state"], answered["answer"]) == (
            "answered", "answered", "Forty-two places taken up.")
        assert answered["answered_on"] == pd.Timestamp("2026-03-01") and answered["carried"] == 3
        assert one(shown(writable_store, LATER[3]), "M0001") is None

    def test_versions_recorded_after_a_cutoff_do_not_change_that_meeting(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW, now=at("2025-11-20T15:00"))
        before = {m: shown(writable_store, m) for m in [RAISED_AT, *LATER[:2]]}
        answer_matter(writable_store, ADMIN, "M0001", "Answered after the committee.", 1, now=at("2026-02-26T08:00"))
        raise_matter(writable_store, ADMIN, {**NEW, "text": "Raised later."}, now=at("2026-02-26T09:00"))
        for meeting_id, frame in before.items():
            pd.testing.assert_frame_equal(shown(writable_store, meeting_id), frame)
        assert one(shown(writable_store, LATER[2]), "M0001")["kind"] == "answered"

    def test_a_named_meeting_to_report_to_is_due_there(self, writable_store):
        raise_matter(writable_store, ADMIN, {**NEW, "report_to_meeting_id": LATER[2]}, now=at("2025-11-20T15:00"))
        due = [bool(one(shown(writable_store, m), "M0001")["due_here"]) for m in LATER]
        assert due == [False, False, True, False]
        assert one(shown(writable_store, LATER[0]), "M0001")["report_to_name"].endswith("19 March 2026")

    def test_cancelled_meetings_do_not_count(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW, now=at("2025-11-20T15:00"))
        change_meeting(writable_store, ADMIN, LATER[0], cancelled=True)
        first = one(shown(writable_store, LATER[1]), "M0001")
        assert (first["carried"], bool(first["due_here"])) == (1, True)

    def test_a_corrected_answer_keeps_the_date_of_the_answer_and_the_history_is_kept(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW, now=at("2025-11-20T15:00"))
        answer_matter(writable_store, DA_LEAD, "M0001", "First answer.", 1, now=at("2026-01-05T09:00"))
        answer_matter(writable_store, ADMIN, "M0001", "Corrected answer.", 2, reason="A figure was wrong.",
                      now=at("2026-02-01T09:00"))
        assert one(shown(writable_store, LATER[1]), "M0001") is None
        answered = one(shown(writable_store, LATER[0]), "M0001")
        assert answered["answered_on"] == pd.Timestamp("2026-01-05") and answered["answer"] == "First answer."
        history = matters.history(writable_store.read("matters_arising"), "M0001")
        assert list(history["version"]) == [3, 2, 1] and list(history["state"]) == ["answered", "answered", "open"]

    def test_latest_as_at_is_strictly_before_the_cutoff(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW, now=at("2025-11-20T15:00"))
        answer_matter(writable_store, ADMIN, "M0001", "Done.", 1, now=at("2026-01-05T09:00"))
        frame = writable_store.read("matters_arising")
        assert matters.latest_as_at(frame, pd.Timestamp("2026-01-05 09:00"))["version"].tolist() == [1]
        assert matters.latest_as_at(frame, at("2026-01-05T09:00:01"))["version"].tolist() == [2]
        assert matters.latest_as_at(frame, pd.Timestamp("2025-11-20 15:00")).empty

    def test_the_store_validates_with_its_references(self, writable_store):
        raise_matter(writable_store, ADMIN, {**NEW, "report_to_meeting_id": LATER[1]})
        assert writable_store.validate() == []


class TestDomainRules:
    @pytest.mark.parametrize(("user", "error"), [(None, NotSignedIn), (VIEWER, Forbidden), (DA_LEAD, Forbidden)])
    def test_only_admins_raise(self, writable_store, user, error):
        with pytest.raises(error):
            raise_matter(writable_store, user, NEW)

    @pytest.mark.parametrize(("changes", "field"), [
        ({"text": "   "}, "text"), ({"text": "x" * 2001}, "text"), ({"text": "a\x00b"}, "text"),
        ({"meeting_id": "kcsp-1999-01-01"}, "meeting_id"), ({"owner": "no-such"}, "owner"),
        ({"report_to_meeting_id": "kcsp-2025-07-17"}, "report_to_meeting_id"),
        ({"report_to_meeting_id": RAISED_AT}, "report_to_meeting_id"), ({"colour": "red"}, "colour"),
    ])
    def test_invalid_fields_name_the_field(self, writable_store, changes, field):
        with pytest.raises(Invalid) as err:
            raise_matter(writable_store, ADMIN, {**NEW, **changes})
        assert field in err.value.problems
        assert writable_store.read("matters_arising").empty

    def test_a_cancelled_meeting_cannot_have_matters_raised(self, writable_store):
        change_meeting(writable_store, ADMIN, RAISED_AT, cancelled=True)
        with pytest.raises(Invalid) as err:
            raise_matter(writable_store, ADMIN, NEW)
        assert "cancelled" in err.value.problems["meeting_id"]

    def test_answers_check_the_owner_the_version_and_the_matter(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW)
        with pytest.raises(Forbidden):
            answer_matter(writable_store, ROAD_LEAD, "M0001", "Not mine.", 1)
        with pytest.raises(Conflict) as err:
            answer_matter(writable_store, DA_LEAD, "M0001", "Stale.", 2)
        assert err.value.current_version == 1 and "matter" in err.value.message
        with pytest.raises(NotFound):
            answer_matter(writable_store, ADMIN, "M9999", "No such.", 1)
        with pytest.raises(Invalid):
            answer_matter(writable_store, DA_LEAD, "M0001", "  ", 1)

    def test_only_an_admin_withdraws_and_with_a_reason(self, writable_store):
        raise_matter(writable_store, ADMIN, NEW)
        with pytest.raises(Forbidden):
            answer_matter(writable_store, DA_LEAD, "M0001", None, 1, state="withdrawn", reason="Overtaken.")
        with pytest.raises(Invalid) as err:
            answer_matter(writable_store, ADMIN, "M0001", None, 1, state="withdrawn")
        assert "reason" in err.value.problems
        saved = answer_matter(writable_store, ADMIN, "M0001", None, 1, state="withdrawn", reason="Overtaken.")
        assert saved == matters.Saved("M0001", 2, "withdrawn")
        with pytest.raises(Invalid):
            answer_matter(writable_store, ADMIN, "M0001", "Too late.", 2)


@pytest.fixture
def client(writable_store):
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def post(client, user="admin", **changes):
    return client.post("/api/matters-arising", json=NEW | changes, headers=basic(user) if user else {})


def patch(client, matter_id, user="da-lead", **body):
    return client.patch(f"/api/matters-arising/{matter_id}", json=body, headers=basic(user) if user else {})


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


class TestApi:
    @pytest.mark.parametrize(("user", "status"), [(None, 401), ("viewer", 403), ("da-lead", 403), ("admin", 201)])
    def test_who_may_raise(self, client, user, status):
        response = post(client, user)
        assert response.status_code == status
        if status == 201:
            assert response.get_json() == {"matter_id": "M0001", "version": 1}

    @pytest.mark.parametrize(("user", "status"), [(None, 401), ("viewer", 403), ("da-lead", 200), ("admin", 200)])
    def test_who_may_answer(self, client, user, status):
        post(client)
        response = patch(client, "M0001", user, answer="Done.", expected_version=1)
        assert response.status_code == status
        if status == 200:
            assert response.get_json() == {"matter_id": "M0001", "version": 2, "state": "answered"}

    def test_the_lead_of_another_priority_may_not_answer(self, client):
        post(client, owner="road-safety")
        assert patch(client, "M0001", answer="Not mine.", expected_version=1).status_code == 403

    def test_stale_versions_get_409_with_the_current_version(self, client):
        post(client)
        assert patch(client, "M0001", answer="First.", expected_version=1).status_code == 200
        response = patch(client, "M0001", answer="Second.", expected_version=1)
        assert response.status_code == 409
        assert response.get_json()["current_version"] == 2 and response.get_json()["latest"]["answer"] == "First."

    def test_an_unknown_matter_is_404(self, client):
        assert patch(client, "M9999", "admin", answer="Done.", expected_version=1).status_code == 404

    @pytest.mark.parametrize(("changes", "field"), [
        ({"text": ""}, "text"), ({"meeting_id": "kcsp-1999-01-01"}, "meeting_id"), ({"owner": "no-such"}, "owner"),
        ({"report_to_meeting_id": "kcsp-2025-07-17"}, "report_to_meeting_id"), ({"meeting_id": 7}, "meeting_id"),
    ])
    def test_invalid_matters_get_422_and_nothing_is_stored(self, client, writable_store, changes, field):
        before = file_hashes(writable_store.root)
        response = post(client, **changes)
        assert response.status_code == 422 and field in response.get_json()["problems"]
        assert file_hashes(writable_store.root) == before

    @pytest.mark.parametrize(("body", "field"), [
        ({"answer": " ", "expected_version": 1}, "answer"), ({"answer": "x", "expected_version": "1"},
                                                              "expected_version"),
        ({"answer": "x", "expected_version": 1, "state": "open"}, "state"),
        ({"answer": "x", "expected_version": 1, "colour": "red"}, "colour"),
    ])
    def test_invalid_answers_get_422(self, client, body, field):
        post(client)
        response = patch(client, "M0001", "admin", **body)
        assert response.status_code == 422 and field in response.get_json()["problems"]

    def test_not_json_is_422(self, client):
        response = client.post("/api/matters-arising", data="meeting_id=x", headers=basic("admin"),
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422

    def test_the_csv_lists_each_matter_as_it_stands_for_anyone(self, client):
        post(client, report_to_meeting_id=LATER[1])
        post(client, text="=HYPERLINK(\"http://example.com\")", owner="road-safety")
        patch(client, "M0001", answer="Forty-two places.", expected_version=1)
        response = client.get("/api/matters-arising.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        header = response.get_data(as_text=True).splitlines()[0].split(",")
        assert header == matters.CSV_COLUMNS
        listed = {r["matter_id"]: r for r in rows(response)}
        first = listed["M0001"]
        assert (first["meeting_id"], first["raised_on"], first["owner_name"], first["report_to_meeting_id"],
                first["state"], first["answer"], first["recorded_by"], first["version"]) == (
            RAISED_AT, "2025-11-20", "Domestic Abuse", LATER[1], "answered", "Forty-two places.", "da-lead", "2")
        assert first["meeting_name"].endswith("20 November 2025") and first["answered_on"]
        assert listed["M0002"]["state"] == "open" and listed["M0002"]["text"].startswith("'=")

    def test_every_write_is_in_the_audit_record(self, client, writable_store):
        post(client)
        patch(client, "M0001", answer="Done.", expected_version=1)
        entries = writable_store.read("audit")
        mine = entries[entries["target"] == "M0001"]
        assert list(mine["kind"]) == ["matter-raise", "matter-answer"]
        assert list(mine["user"]) == ["admin", "da-lead"]
        assert "version 2: answered" in mine["detail"].iloc[1]


def _strings(component) -> list[str]:
    """Every text child in a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [s for child in component for s in _strings(child)]
    children = getattr(component, "children", None)
    return [] if children is None else _strings(children)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str):
            yield from _walk(child)


class TestComponent:
    SCRIPT = "<script>alert('x')</script> & <b>bold</b>"

    def frame(self, writable_store) -> pd.DataFrame:
        raise_matter(writable_store, ADMIN, {**NEW, "text": self.SCRIPT}, now=at("2025-11-20T15:00"))
        raise_matter(writable_store, ADMIN, {**NEW, "text": "Second."}, now=at("2025-11-20T15:01"))
        answer_matter(writable_store, DA_LEAD, "M0002", "<img src=x onerror=alert(1)>", 1,
                      now=at("2026-01-05T09:00"))
        return shown(writable_store, LATER[0])

    def test_peoples_text_is_shown_as_text(self, writable_store):
        frame = self.frame(writable_store)
        for built in (matters_section(frame, heading_id="matters", empty_text="None."),
                      matters_list_for_pack(frame)):
            texts = _strings(built)
            assert self.SCRIPT in texts and "<img src=x onerror=alert(1)>" in texts
            assert all(type(c).__module__.startswith("dash.html") for c in _walk(built))

    def test_states_are_in_words(self, writable_store):
        frame = self.frame(writable_store)
        texts = " ".join(_strings(matters_section(frame, heading_id="matters", empty_text="None.")))
        assert "Open, due at this meeting: carried to the first meeting" in texts
        assert "Answered on 5 January 2026" in texts and "Domestic Abuse" in texts

    def test_an_empty_list_says_so(self):
        empty = pd.DataFrame(columns=matters.COLUMNS)
        section = matters_section(empty, heading_id="matters", empty_text="No matters arising.")
        assert "No matters arising." in _strings(section)
