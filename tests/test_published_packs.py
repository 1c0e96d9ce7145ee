"""Published packs (issue 21): an admin publishes a meeting's pack, rendered by headless Chromium from
the page; downloads then serve that file, unchanged by later writes, with its SHA-256; a correction
is a new version with its reason, and earlier versions stay downloadable. A past meeting's pack
made afresh is the same, text for text, before and after a later update."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pandas as pd
import pytest

from kcsp import runtime, updates
from kcsp.users import User
from serving.pack import count_pages
from tests.support import basic

pytestmark = pytest.mark.slow

MEETING = "2026-11-19"
MEETING_ID = "kcsp-2026-11-19"
ADMIN = User("admin", "admin", ())


@pytest.fixture
def client(writable_store):
    import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def publish(client, reason: str | None = None, who: str = "admin"):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/meetings/{MEETING_ID}/publish", json=body, headers=basic(who))


def pdf_text(tmp_path, body: bytes) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(body)
    return subprocess.run([shutil.which("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def later_update(store) -> None:
    status = runtime.dataset().action_status(include_restricted=True)
    action = status[status["status"] != "blue"].iloc[0]
    updates.append_update(store, ADMIN, action["action_id"], "blue", "Done after the meeting.", int(action["version"]))


def test_a_published_pack_is_served_unchanged_after_the_store_changes(client, writable_store, tmp_path):
    assert publish(client, who="viewer").status_code == 403
    assert client.post(f"/api/meetings/{MEETING_ID}/publish", json={}).status_code == 401
    made = publish(client)
    assert made.status_code == 201, made.get_data(as_text=True)
    first = made.get_json()
    assert first["version"] == 1 and len(first["sha256"]) == 64

    served = client.get(f"/meeting/pack.pdf?meeting={MEETING}")
    assert served.status_code == 200 and served.data.startswith(b"%PDF")
    assert served.headers["X-Pack-SHA256"] == first["sha256"] == hashlib.sha256(served.data).hexdigest()
    assert served.headers["X-Pack-Version"] == "1"
    text = pdf_text(tmp_path, served.data)
    assert "Meeting pack: cover" in text and "(restricted)" not in text

    later_update(writable_store)
    again = client.get(f"/meeting/pack.pdf?meeting={MEETING}")
    assert again.data == served.data and again.headers["X-Pack-SHA256"] == first["sha256"]

    partners = client.get(f"/meeting/pack.pdf?meeting={MEETING}", headers=basic("admin"))
    assert partners.headers["X-Pack-SHA256"] == first["partners_sha256"] != first["sha256"]

    assert publish(client).status_code == 422, "a correction without a reason was published"
    corrected = publish(client, reason="Road Safety's context was missing.")
    assert corrected.status_code == 201 and corrected.get_json()["version"] == 2
    latest = client.get(f"/meeting/pack.pdf?meeting={MEETING}")
    assert latest.headers["X-Pack-Version"] == "2"
    old = client.get(f"/meeting/pack.pdf?meeting={MEETING}&version=1")
    assert old.data == served.data
    assert client.get(f"/meeting/pack.pdf?meeting={MEETING}&version=9").status_code == 404
    assert client.get(f"/meeting/pack.pdf?meeting={MEETING}&version=x").status_code == 422

    table = writable_store.read("published_packs")
    assert sorted(set(table["version"])) == [1, 2] and set(table["published_by"]) == {"admin"}
    audit = writable_store.read("audit")
    assert (audit["kind"] == "publish-pack").sum() == 2

    (writable_store.root / table.iloc[0]["file"]).write_bytes(b"%PDF-1.4 tampered")
    damaged = client.get(f"/meeting/pack.pdf?meeting={MEETING}&version={int(table.iloc[0]['version'])}",
                         headers=basic("admin") if table.iloc[0]["audience"] == "partners" else {})
    assert damaged.status_code == 503 and "SHA-256" in damaged.get_data(as_text=True)


def test_a_past_pack_made_again_after_a_later_update_reads_the_same(client, writable_store, tmp_path):
    first = client.get("/meeting/pack.pdf?meeting=2026-07-16")
    assert first.status_code == 200, first.get_data(as_text=True)
    later_update(writable_store)
    assert runtime.dataset().updates["updated_at"].max() > pd.Timestamp.today().strftime("%Y-%m-%d")
    second = client.get("/meeting/pack.pdf?meeting=2026-07-16")
    assert second.status_code == 200
    assert pdf_text(tmp_path, second.data) == pdf_text(tmp_path, first.data)
    assert count_pages(second.data) == count_pages(first.data)
