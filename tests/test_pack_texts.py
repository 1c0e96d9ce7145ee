"""The meeting pack's texts (kcsp.pack_texts): who may write the introduction and a priority's context,
the version check, validation per field, the history and the audit record; texts as they stood at a
cutoff, the introduction carried forward and a context never; the simple formatting, shown as plain
text; the JSON API through Flask's test client; and the priority page's context, its editor and its
save callback called as a plain function. Writes go to a private copy of the demo store."""

from __future__ import annotations

import pandas as pd
import pytest
from dash import dcc, html, no_update

from kcsp import pack_texts, plan
from kcsp.pack_texts import INTRODUCTION, blocks, reference_lines
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn
from kcsp.users import User
from tests.support import basic

ADMIN = User("admin", "admin", ())
LEAD = User("da-lead", "lead", ("domestic-abuse",))
VIEWER = User("viewer", "viewer", ())
ANALYST = User("analyst", "analyst", ())
FRESH = "kcsp-2026-03-19"
"""A meeting the demo store has no texts for."""
NOVEMBER, JULY = "kcsp-2026-11-19", "kcsp-2026-07-16"
SCRIPT = '<script>alert(1)</script> <b>bold</b> & <img src=x onerror="alert(2)">'


def write(store, user=LEAD, meeting_id=FRESH, part="domestic-abuse", body="Words for the meeting.",
          references=None, expected_version=0, now=None):
    return pack_texts.write_text(store, user, meeting_id, part, body, references, expected_version, now=now)


def walk(component):
    """Every component in a tree (or list of trees)."""
    if isinstance(component, list | tuple):
        for item in component:
            yield from walk(item)
    elif hasattr(component, "to_plotly_json"):
        yield component
        yield from walk(getattr(component, "children", None))


def strings(component) -> list[str]:
    """Every text child in a tree."""
    found = []
    for node in walk(component):
        children = getattr(node, "children", None)
        children = children if isinstance(children, list) else [children]
        found += [c for c in children if isinstance(c, str)]
    return found


class TestWrite:
    @pytest.mark.parametrize(("user", "part", "error"), [
        (None, "domestic-abuse", NotSignedIn),
        (VIEWER, "domestic-abuse", Forbidden),
        (ANALYST, "domestic-abuse", Forbidden),
        (LEAD, "road-safety", Forbidden),
        (LEAD, INTRODUCTION, Forbidden),
        (VIEWER, INTRODUCTION, Forbidden),
    ])
    def test_who_may_not_write_is_refused_and_nothing_is_written(self, writable_store, user, part, error):
        before = writable_store.path("pack_texts").read_bytes()
        with pytest.raises(error):
            write(writable_store, user, part=part)
        assert writable_store.path("pack_texts").read_bytes() == before

    @pytest.mark.parametrize(("user", "part"), [(LEAD, "domestic-abuse"), (ADMIN, "road-safety"),
                                                (ADMIN, INTRODUCTION)])
    def test_a_priority_s_lead_or_an_admin_writes_and_only_an_admin_the_introduction(self, writable_store, user,
                                                                                      part):
        saved = write(writable_store, user, part=part)
        texts = writable_store.read("pack_texts")
        row = texts[texts["text_id"] == saved.text_id].iloc[0]
        assert saved.version == 1
        assert (row["meeting_id"], row["part"], row["written_by"], bool(row["illustrative"])) == (
            FRESH, part, user.name, False)

    def test_each_write_is_a_new_version_and_the_history_keeps_every_one(self, writable_store):
        first = write(writable_store, body="First words.")
        second = write(writable_store, body="Second words.", expected_version=1)
        third = write(writable_store, user=ADMIN, body="Third words.", expected_version=2)
        assert (first.version, second.version, third.version) == (1, 2, 3)
        assert len({first.text_id, second.text_id, third.text_id}) == 3
        history = pack_texts.history(writable_store.read("pack_texts"), FRESH, "domestic-abuse")
        assert list(history["version"]) == [3, 2, 1]
        assert list(history["body"]) == ["Third words.", "Second words.", "First words."]

    def test_a_stale_version_is_a_conflict_naming_the_current_one(self, writable_store):
        write(writable_store, body="Theirs.")
        before = writable_store.path("pack_texts").read_bytes()
        with pytest.raises(Conflict) as err:
            write(writable_store, user=ADMIN, body="Mine.", expected_version=0)
        assert err.value.current_version == 1
        assert err.value.latest["body"] == "Theirs." and err.value.latest["written_by"] == "da-lead"
        assert writable_store.path("pack_texts").read_bytes() == before

    def test_a_demo_context_is_version_1_so_the_next_is_2(self, writable_store):
        with pytest.raises(Conflict):
            write(writable_store, meeting_id=NOVEMBER)
        assert write(writable_store, meeting_id=NOVEMBER, expected_version=1).version == 2

    @pytest.mark.parametrize(("changes", "field"), [
        ({"meeting_id": "kcsp-2030-01-01"}, "meeting_id"),
        ({"meeting_id": "Not a meeting!"}, "meeting_id"),
        ({"meeting_id": None}, "meeting_id"),
        ({"part": "no-such-priority"}, "part"),
        ({"part": "Domestic Abuse"}, "part"),
        ({"body": ""}, "body"),
        ({"body": "  \n\t \n "}, "body"),
        ({"body": "x" * 6001}, "body"),
        ({"body": "a bell \x07 rings"}, "body"),
        ({"body": "a null \x00"}, "body"),
        ({"body": 12}, "body"),
        ({"body": None}, "body"),
        ({"references": "r" * 3001}, "references"),
        ({"references": "escape \x1b[31m"}, "references"),
        ({"references": ["a list"]}, "references"),
        ({"expected_version": -1}, "expected_version"),
        ({"expected_version": "0"}, "expected_version"),
        ({"expected_version": True}, "expected_version"),
        ({"expected_version": 1.5}, "expected_version"),
    ])
    def test_invalid_fields_are_refused_naming_the_field(self, writable_store, changes, field):
        before = writable_store.path("pack_texts").read_bytes()
        with pytest.raises(Invalid) as err:
            write(writable_store, user=ADMIN, **changes)
        assert field in err.value.problems
        assert writable_store.path("pack_texts").read_bytes() == before

    def test_a_cancelled_meeting_takes_no_text(self, writable_store):
        plan.change_meeting(writable_store, ADMIN, FRESH, cancelled=True)
        with pytest.raises(Invalid) as err:
            write(writable_store)
        assert "cancelled" in err.value.problems["meeting_id"]

    def test_the_text_is_stored_cleaned(self, writable_store):
        body = "  First line   \r\nsame paragraph\u200b\t\r\n\r\n- a point  \r\n\n\n"
        saved = write(writable_store, body=body, references="  Paper one  \r\n\r\nPaper two\n")
        row = pack_texts.latest(writable_store.read("pack_texts"), FRESH, "domestic-abuse")
        assert saved.version == 1
        assert row["body"] == "First line\nsame paragraph\n\n- a point"
        assert row["references"] == "Paper one\n\nPaper two"
        write(writable_store, references="  \n ", expected_version=1)
        assert pd.isna(pack_texts.latest(writable_store.read("pack_texts"), FRESH, "domestic-abuse")["references"])

    def test_a_body_of_exactly_the_limit_is_accepted(self, writable_store):
        assert write(writable_store, body="x" * 6000).version == 1

    def test_every_write_is_in_the_audit_record(self, writable_store):
        saved = write(writable_store, user=ADMIN, part=INTRODUCTION)
        entry = writable_store.read("audit").iloc[-1]
        assert (entry["kind"], entry["user"], entry["target"]) == ("text-write", "admin", f"{FRESH} {INTRODUCTION}")
        assert entry["detail"].startswith(f"version {saved.version}: the pack's introduction")
        assert entry["at"] == pack_texts.latest(writable_store.read("pack_texts"), FRESH, INTRODUCTION)["written_at"]

    def test_the_store_validates_after_writes(self, writable_store):
        write(writable_store, body=SCRIPT)
        write(writable_store, user=ADMIN, part=INTRODUCTION, references="A paper")
        assert writable_store.validate() == []


def texts_frame(rows) -> pd.DataFrame:
    """pack_texts rows from (meeting_id, part, version, body, written_at)."""
    return pd.DataFrame([{"text_id": f"T{i:06d}", "meeting_id": m, "part": p, "version": v, "body": b,
                          "references": None, "written_by": "someone", "written_at": at, "illustrative": False}
                         for i, (m, p, v, b, at) in enumerate(rows, start=1)])


MEETINGS = pd.DataFrame({"meeting_id": ["kcsp-2026-03-19", "kcsp-2026-07-16", "working-group-2026-10-29",
                                        "kcsp-2026-11-19"],
                         "date": pd.to_datetime(["2026-03-19", "2026-07-16", "2026-10-29", "2026-11-19"])})


class TestReading:
    TEXTS = texts_frame([
        ("kcsp-2026-07-16", INTRODUCTION, 1, "Intro one.", "2026-07-09T09:00:00Z"),
        ("kcsp-2026-07-16", INTRODUCTION, 2, "Intro two.", "2026-07-20T09:00:00Z"),
        ("kcsp-2026-07-16", "road-safety", 1, "July roads.", "2026-07-10T10:00:00Z"),
        ("kcsp-2026-11-19", "road-safety", 1, "November roads.", "2026-11-13T10:00:00+00:00"),
        ("kcsp-2026-11-19", "road-safety", 2, "November roads, corrected.", "2026-11-25T10:00:00Z"),
    ])

    def test_latest_is_the_last_version_written_strictly_before_the_cutoff(self):
        def body(cutoff):
            row = pack_texts.latest(self.TEXTS, NOVEMBER, "road-safety", cutoff)
            return None if row is None else row["body"]

        assert body(None) == "November roads, corrected."
        assert body(pd.Timestamp("2026-11-20")) == "November roads."
        assert body(pd.Timestamp("2026-11-25 10:00:00")) == "November roads."
        assert body(pd.Timestamp("2026-11-25 10:00:01")) == "November roads, corrected."
        assert body(pd.Timestamp("2026-11-13 10:00:00")) is None

    def test_the_cutoff_of_a_day_takes_everything_written_that_day(self):
        assert pack_texts.cutoff_for(pd.Timestamp("2026-11-25")) == pd.Timestamp("2026-11-26")
        row = pack_texts.latest(self.TEXTS, NOVEMBER, "road-safety", pack_texts.cutoff_for(pd.Timestamp("2026-11-25")))
        assert row["version"] == 2

    def test_the_introduction_is_carried_to_later_meetings_as_it_stood(self):
        carried = pack_texts.introduction(self.TEXTS, MEETINGS, NOVEMBER)
        assert carried.meeting_id == JULY and carried.row["body"] == "Intro two."
        at_the_july_meeting = pack_texts.introduction(self.TEXTS, MEETINGS, NOVEMBER, pd.Timestamp("2026-07-17"))
        assert at_the_july_meeting.row["body"] == "Intro one."
        assert pack_texts.introduction(self.TEXTS, MEETINGS, "working-group-2026-10-29").meeting_id == JULY
        own = pack_texts.introduction(self.TEXTS, MEETINGS, JULY)
        assert own.meeting_id == JULY and own.row["version"] == 2

    def test_no_introduction_before_the_first_one_or_for_an_unknown_meeting(self):
        assert pack_texts.introduction(self.TEXTS, MEETINGS, "kcsp-2026-03-19") is None
        assert pack_texts.introduction(self.TEXTS, MEETINGS, NOVEMBER, pd.Timestamp("2026-07-01")) is None
        assert pack_texts.introduction(self.TEXTS, MEETINGS, "no-such-meeting") is None

    def test_a_meeting_s_own_introduction_wins_over_an_earlier_one(self):
        texts = pd.concat([self.TEXTS, texts_frame([(NOVEMBER, INTRODUCTION, 1, "November intro.",
                                                     "2026-11-01T09:00:00Z")]).assign(text_id="T000099")])
        assert pack_texts.introduction(texts, MEETINGS, NOVEMBER).row["body"] == "November intro."
        assert pack_texts.introduction(texts, MEETINGS, NOVEMBER, pd.Timestamp("2026-10-01")).meeting_id == JULY

    def test_a_context_is_never_carried_forward_but_is_offered_to_an_editor(self):
        assert pack_texts.context(self.TEXTS, "working-group-2026-10-29", "road-safety") is None
        assert pack_texts.context(self.TEXTS, JULY, "road-safety")["body"] == "July roads."
        previous = pack_texts.previous_context(self.TEXTS, MEETINGS, NOVEMBER, "road-safety")
        assert previous.meeting_id == JULY and previous.row["body"] == "July roads."
        assert pack_texts.previous_context(self.TEXTS, MEETINGS, JULY, "road-safety") is None

    def test_an_empty_table_has_nothing(self, dataset):
        empty = dataset.tables["pack_texts"].iloc[0:0]
        assert pack_texts.latest(empty, NOVEMBER, "road-safety", pd.Timestamp("2026-12-01")) is None
        assert pack_texts.introduction(empty, MEETINGS, NOVEMBER) is None
        assert pack_texts.history(empty, NOVEMBER, "road-safety").empty


class TestFormatting:
    @pytest.mark.parametrize(("body", "expected"), [
        ("One paragraph.", [("p", "One paragraph.")]),
        ("Line one\nline two\n\nSecond.", [("p", "Line one line two"), ("p", "Second.")]),
        ("Intro:\n- first\n- second\nAfter.", [("p", "Intro:"), ("ul", "first", "second"), ("p", "After.")]),
        ("- a point\n  that goes on\n- another", [("ul", "a point that goes on", "another")]),
        ("A\n\n\n\n  \nB", [("p", "A"), ("p", "B")]),
        ("-not a bullet\n* nor this\n1. nor this", [("p", "-not a bullet * nor this 1. nor this")]),
        ("**bold** _em_ [link](http://x) # title", [("p", "**bold** _em_ [link](http://x) # title")]),
        ("-\n- \n- kept", [("ul", "kept")]),
        (SCRIPT, [("p", SCRIPT)]),
        ("a\r\n\r\nb", [("p", "a"), ("p", "b")]),
        ("", []),
        (None, []),
    ])
    def test_blocks_read_paragraphs_and_bullets_and_nothing_else(self, body, expected):
        assert blocks(body) == expected

    def test_references_are_one_a_line(self):
        assert reference_lines(" One \r\n\r\nTwo\n") == ["One", "Two"]
        assert reference_lines(None) == [] and reference_lines(float("nan")) == []


class TestComponent:
    ROW = pd.Series({"text_id": "T000001", "meeting_id": NOVEMBER, "part": "road-safety", "version": 2,
                     "body": f"First {SCRIPT}\n\n- one <i>point</i>\n- two", "references": "Paper <a>\nOther",
                     "written_by": "Road lead", "written_at": "2026-11-19T23:30:00Z", "illustrative": True})

    def test_a_text_becomes_plain_string_children_never_html(self):
        from components.context_text import context_block

        block = context_block(self.ROW, heading="Context for the meeting")
        nodes = list(walk(block))
        assert not [n for n in nodes if isinstance(n, dcc.Markdown)]
        assert not [n for n in nodes if getattr(n, "dangerously_set_inner_html", None)]
        texts = strings(block)
        assert f"First {SCRIPT}" in texts
        assert "one <i>point</i>" in texts and "Paper <a>" in texts
        assert {type(n).__name__ for n in nodes} <= {"Section", "H2", "H3", "P", "Ul", "Ol", "Li", "Span"}
        assert [li.children for li in walk(block) if isinstance(li, html.Li)] == ["one <i>point</i>", "two",
                                                                                  "Paper <a>", "Other"]

    def test_who_wrote_it_when_and_that_it_is_illustrative(self):
        from components.context_text import context_block

        texts = " ".join(strings(context_block(self.ROW, heading="Context", meta_text="Carried forward.")))
        assert "Written by Road lead, 19 November 2026 (version 2)." in texts
        assert "Carried forward." in texts
        assert "Illustrative text written for the demonstration store" in texts
        assert "References" in texts
        real = self.ROW.copy()
        real["illustrative"] = False
        assert "Illustrative" not in " ".join(strings(context_block(real, heading="Context")))

    def test_nothing_written_is_said_in_words(self):
        from components.context_text import EMPTY, context_block

        assert EMPTY in strings(context_block(None, heading="Context for the meeting"))
        assert EMPTY in " ".join(strings(context_block(None, heading="Context", compact=True)))

    def test_a_compact_block_is_the_start_of_the_first_paragraph_with_its_label(self):
        from components.context_text import COMPACT_CHARS, context_block

        row = self.ROW.copy()
        row["body"] = ("word " * 200).strip() + "\n\nSecond paragraph."
        block = context_block(row, heading="Context for 19 November 2026", compact=True)
        texts = strings(block)
        start = next(t for t in texts if t.startswith("word"))
        assert len(start) <= COMPACT_CHARS + 1 and start.endswith("\u2026")
        assert "Second paragraph." not in texts and "References" not in texts
        assert "Illustrative" in texts


class TestDemo:
    def test_the_demo_store_has_an_introduction_and_every_priority_s_context_for_two_meetings(self, dataset):
        texts = dataset.tables["pack_texts"]
        assert texts["illustrative"].all() and (texts["version"] == 1).all()
        intro = texts[texts["part"] == INTRODUCTION]
        assert list(intro["meeting_id"]) == [JULY]
        for meeting_id in (JULY, NOVEMBER):
            parts = set(texts.loc[texts["meeting_id"] == meeting_id, "part"]) - {INTRODUCTION}
            assert parts == set(dataset.priorities["priority_id"])
        day = pd.Timestamp(NOVEMBER[5:])
        stamps = pack_texts.written_at(texts[texts["meeting_id"] == NOVEMBER])
        assert ((stamps < day) & (stamps > day - pd.Timedelta(days=14))).all()
        assert texts["references"].map(lambda r: len(reference_lines(r))).ge(1).all()
        assert pack_texts.introduction(texts, dataset.meetings, NOVEMBER).meeting_id == JULY

    def test_the_same_texts_every_build(self):
        from kcsp.demo import build_demo_tables

        today = pd.Timestamp("2026-11-23")
        first, second = build_demo_tables(today)["pack_texts"], build_demo_tables(today)["pack_texts"]
        pd.testing.assert_frame_equal(first, second)
        assert set(build_demo_tables(pd.Timestamp("2026-10-01"))["pack_texts"]["meeting_id"]) == {JULY}


@pytest.fixture
def client(writable_store):
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def put(client, part="domestic-abuse", meeting_id=FRESH, user="da-lead", **body):
    payload = {"body": "Words for the meeting.", "references": "A paper", "expected_version": 0, **body}
    return client.put(f"/api/meetings/{meeting_id}/texts/{part}", json=payload,
                      headers=basic(user) if user else {})


class TestApi:
    @pytest.mark.parametrize(("user", "part", "status"), [
        (None, "domestic-abuse", 401), ("viewer", "domestic-abuse", 403), ("da-lead", "road-safety", 403),
        ("da-lead", INTRODUCTION, 403),
    ])
    def test_refused_writers(self, client, writable_store, user, part, status):
        before = writable_store.path("pack_texts").read_bytes()
        response = put(client, part, user=user)
        assert response.status_code == status
        assert "error" in response.get_json()
        assert writable_store.path("pack_texts").read_bytes() == before

    def test_anonymous_writes_are_asked_for_credentials(self, client):
        assert put(client, user=None).headers["WWW-Authenticate"].startswith("Basic")

    def test_the_first_version_is_201_and_later_ones_200(self, client):
        first = put(client)
        assert first.status_code == 201
        assert first.get_json()["version"] == 1 and first.get_json()["text_id"].startswith("T")
        later = put(client, body="Better words.", expected_version=1)
        assert later.status_code == 200 and later.get_json()["version"] == 2
        assert put(client, INTRODUCTION, user="admin").status_code == 201

    def test_a_stale_version_is_409_with_the_current_one(self, client):
        put(client)
        response = put(client, user="admin", body="Mine.", expected_version=0)
        assert response.status_code == 409
        assert response.get_json()["current_version"] == 1
        assert response.get_json()["latest"]["body"] == "Words for the meeting."

    @pytest.mark.parametrize(("changes", "field"), [
        ({"body": ""}, "body"), ({"body": "x" * 6001}, "body"), ({"references": "r" * 3001}, "references"),
        ({"expected_version": "0"}, "expected_version"), ({"body": "bell \x07"}, "body"),
    ])
    def test_invalid_fields_are_422_naming_the_field(self, client, changes, field):
        response = put(client, **changes)
        assert response.status_code == 422
        assert field in response.get_json()["problems"]

    def test_an_unknown_meeting_or_part_is_422(self, client):
        assert "meeting_id" in put(client, meeting_id="kcsp-2030-01-01", user="admin").get_json()["problems"]
        assert "part" in put(client, part="no-such", user="admin").get_json()["problems"]

    def test_a_body_that_is_not_json_is_422(self, client):
        response = client.put(f"/api/meetings/{FRESH}/texts/domestic-abuse", data="body=x",
                              content_type="application/x-www-form-urlencoded", headers=basic("da-lead"))
        assert response.status_code == 422 and "body" in response.get_json()["problems"]

    def test_anyone_reads_the_history_newest_first(self, client):
        put(client, body="One.")
        put(client, body="Two.", expected_version=1)
        response = client.get(f"/api/meetings/{FRESH}/texts/domestic-abuse/history")
        assert response.status_code == 200
        found = response.get_json()
        assert found["version"] == 2
        assert [v["body"] for v in found["versions"]] == ["Two.", "One."]
        assert found["versions"][0]["written_by"] == "da-lead" and found["versions"][0]["illustrative"] is False

    def test_the_history_of_nothing_written_is_empty_and_of_an_unknown_meeting_404(self, client):
        empty = client.get(f"/api/meetings/{FRESH}/texts/road-safety/history").get_json()
        assert (empty["version"], empty["versions"]) == (0, [])
        assert client.get("/api/meetings/no-such/texts/road-safety/history").status_code == 404


@pytest.fixture
def page(writable_store):
    import app  # noqa: F401
    from pages import priority

    return priority


def as_user(user, work):
    import app

    with app.server.test_request_context("/_dash-update-component", method="POST",
                                         headers=basic(user) if user else {}):
        return work()


def ids_in(component) -> set[str]:
    return {n.id for n in walk(component) if isinstance(getattr(n, "id", None), str)}


class TestPriorityPage:
    def test_the_page_shows_the_context_of_the_meeting_the_meeting_page_shows(self, page):
        layout = as_user(None, lambda: page.layout("domestic-abuse"))
        texts = strings(layout)
        assert "Context for Kent Community Safety Partnership, 19 November 2026" in texts
        assert any(t.startswith("This meeting falls just before the 16 Days of Action") for t in texts)
        assert page.EDITOR["body"] not in ids_in(layout)

    def test_another_meeting_is_chosen_by_its_date_and_other_parameters_still_work(self, page):
        layout = as_user(None, lambda: page.layout("domestic-abuse", meeting="2026-07-16", district="thanet"))
        texts = strings(layout)
        assert "Context for Kent Community Safety Partnership, 16 July 2026" in texts
        assert "How the measures are moving in Thanet" in texts
        missing = strings(as_user(None, lambda: page.layout("domestic-abuse", meeting="2026-07-17")))
        assert any("No meeting is recorded on 17 July 2026" in t for t in missing)
        none = strings(as_user(None, lambda: page.layout("domestic-abuse", meeting="2026-03-19")))
        assert "No context has been written for this meeting." in none

    def test_the_slide_shows_the_start_of_the_context(self, page):
        slide = as_user(None, lambda: page.layout("domestic-abuse", present="1"))
        compact = [n for n in walk(slide) if "context-compact" in (getattr(n, "className", "") or "")]
        assert len(compact) == 1
        assert "Context for 19 November 2026: " in strings(compact[0])
        assert page.EDITOR["body"] not in ids_in(slide)

    @pytest.mark.parametrize(("user", "pid", "editor"), [
        ("da-lead", "domestic-abuse", True), ("admin", "road-safety", True), ("da-lead", "road-safety", False),
        ("viewer", "domestic-abuse", False),
    ])
    def test_only_those_who_may_write_get_the_form(self, page, user, pid, editor):
        layout = as_user(user, lambda: page.layout(pid))
        assert (page.EDITOR["body"] in ids_in(layout)) is editor

    def test_the_form_starts_from_the_current_version_or_the_last_meeting_s_words(self, page):
        def form(meeting):
            layout = as_user("da-lead", lambda: page.layout("domestic-abuse", meeting=meeting))
            nodes = {n.id: n for n in walk(layout) if isinstance(getattr(n, "id", None), str)}
            return nodes[page.EDITOR["body"]].value, nodes[page.EDITOR["target"]].data, strings(layout)

        body, target, _ = form(None)
        assert body.startswith("This meeting falls just before") and target == {
            "meeting_id": NOVEMBER, "priority_id": "domestic-abuse", "version": 1}
        body, target, texts = form("2026-10-29")
        assert body.startswith("More domestic abuse reported to the police") and target["version"] == 0
        assert any(t.startswith("The form starts from the context written for Kent Community Safety Partnership, "
                                "16 July 2026") for t in texts)
        assert "No context has been written for this meeting." in texts


def save(page, user, body, references="A paper", version=1, meeting_id=NOVEMBER, pid="domestic-abuse"):
    target = {"meeting_id": meeting_id, "priority_id": pid, "version": version}
    return as_user(user, lambda: page.save_context(1, body, references, target))


class TestSaveCallback:
    def test_saving_writes_a_new_version_and_shows_it_as_plain_text(self, page, writable_store):
        shown, target, message = save(page, "da-lead", f"New words {SCRIPT}\n\n- a point")
        assert target["version"] == 2
        assert "Saved as version 2" in " ".join(strings(message))
        assert f"New words {SCRIPT}" in strings(shown) and "a point" in strings(shown)
        row = pack_texts.latest(writable_store.read("pack_texts"), NOVEMBER, "domestic-abuse")
        assert (row["version"], row["written_by"], row["references"]) == (2, "da-lead", "A paper")

    def test_a_stale_version_shows_theirs_and_keeps_the_form_building_on_it(self, page):
        save(page, "admin", "The admin's words.")
        shown, target, message = save(page, "da-lead", "The lead's words.")
        assert target["version"] == 2
        assert "Someone else saved this context first" in " ".join(strings(message))
        assert "The admin's words." in strings(shown)
        again = save(page, "da-lead", "The lead's words.", version=target["version"])
        assert again[1]["version"] == 3

    @pytest.mark.parametrize(("user", "body", "words"), [
        ("da-lead", "  ", "Context: must not be empty"),
        ("da-lead", "x" * 6001, "Context: must be at most 6,000 characters"),
        (None, "Words.", "sign in"),
        ("viewer", "Words.", "may not write"),
    ])
    def test_refused_saves_explain_and_change_nothing(self, page, writable_store, user, body, words):
        before = writable_store.path("pack_texts").read_bytes()
        shown, target, message = save(page, user, body)
        assert shown is no_update and target is no_update
        assert words in " ".join(strings(message))
        assert writable_store.path("pack_texts").read_bytes() == before

    def test_a_page_without_a_target_saves_nothing(self, page):
        shown, target, message = as_user("da-lead", lambda: page.save_context(1, "Words.", "", None))
        assert shown is no_update and target is no_update and strings(message)

    def test_the_save_callback_is_never_kept_as_an_answer(self, page):
        assert not getattr(page.save_context, "reads_only", False)
