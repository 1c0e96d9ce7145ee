"""Writes across processes: 8 clients post 25 updates each, all at once, to gunicorn running three
workers on a loopback port against a copy of the demo store. Two clients share
each action, so stale versions happen and are retried as a real client would. Every one of the 200
updates must be stored exactly once, with one version per update and no version skipped."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import requests

from kcsp.store import Store
from serving import server
from tests.support import PASSWORDS

pytestmark = pytest.mark.slow

CLIENTS = 8
UPDATES = 25
ACTIONS = ("A003", "A012", "A023", "A031")
START_TIMEOUT_S = 90
RUN_TIMEOUT_S = 240


@pytest.fixture
def gunicorn(tmp_path, demo_store):
    root = tmp_path / "store"
    shutil.copytree(demo_store.root, root, ignore=shutil.ignore_patterns(".*"))
    log_path = tmp_path / "gunicorn.log"
    with server.gunicorn(root, workers=3, env={"KCSP_REQUIRE_LOGIN": "0"}, log_path=log_path,
                         timeout=START_TIMEOUT_S) as running:
        yield running.url, Store(root), log_path


def current_version(store: Store, action_id: str) -> int:
    ups = store.read("action_updates")
    return int(ups.loc[ups["action_id"] == action_id, "version"].max())


def test_200_updates_through_three_workers_are_all_stored_once(gunicorn):
    url, store, log_path = gunicorn
    before = store.read("action_updates")
    start_versions = {a: current_version(store, a) for a in ACTIONS}
    results: dict[int, dict] = {}
    go = threading.Barrier(CLIENTS)
    deadline = time.monotonic() + RUN_TIMEOUT_S

    def client(number: int) -> None:
        action_id = ACTIONS[number % len(ACTIONS)]
        session = requests.Session()
        session.auth = ("admin", PASSWORDS["admin"])
        seen = start_versions[action_id]
        stored, conflicts, failures = [], 0, []
        go.wait()
        while len(stored) < UPDATES and time.monotonic() < deadline and not failures:
            body = {"action_id": action_id, "status": "green", "progress": f"client {number} update {len(stored)}",
                    "expected_version": seen}
            response = session.post(f"{url}/api/action-updates", json=body, timeout=30)
            if response.status_code == 201:
                seen = response.json()["version"]
                stored.append(response.json()["update_id"])
            elif response.status_code == 409:
                conflicts += 1
                seen = response.json()["current_version"]
            else:
                failures.append((response.status_code, response.text))
        results[number] = {"stored": stored, "conflicts": conflicts, "failures": failures}

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RUN_TIMEOUT_S + 30)
    elapsed = time.monotonic() - started

    assert all(not r["failures"] for r in results.values()), {n: r["failures"] for n, r in results.items()}
    assert sum(len(r["stored"]) for r in results.values()) == CLIENTS * UPDATES

    after = Store(store.root).read("action_updates")
    added = after[~after["update_id"].isin(before["update_id"])]
    assert len(added) == CLIENTS * UPDATES
    assert after["update_id"].is_unique
    assert not after.duplicated(["action_id", "version"]).any()
    assert sorted(added["progress"]) == sorted(f"client {n} update {i}" for n in range(CLIENTS) for i in range(UPDATES))
    assert set(added["update_id"]) == {u for r in results.values() for u in r["stored"]}
    for action_id in ACTIONS:
        versions = sorted(after.loc[after["action_id"] == action_id, "version"])
        assert versions == list(range(1, len(versions) + 1))
        assert versions[-1] == start_versions[action_id] + (CLIENTS // len(ACTIONS)) * UPDATES
    assert Store(store.root).validate() == []
    log = log_path.read_text()
    assert log.count("Booting worker") == 3
    assert PASSWORDS["admin"] not in log
    conflicts = sum(r["conflicts"] for r in results.values())
    print(f"\n{CLIENTS * UPDATES} updates stored once in {elapsed:.1f}s through 3 workers; "
          f"{conflicts} stale versions refused with 409 and retried")


def test_a_proposed_and_a_created_action_show_in_every_worker_at_once(gunicorn):
    url = gunicorn[0]
    for _ in range(12):  # every worker builds and caches its dataset before the writes
        requests.get(f"{url}/api/actions.csv", timeout=30, headers={"Connection": "close"})
    new = {"priority_id": "domestic-abuse", "lead_agency": "KCC", "owner_role": "DA Lead, KCC", "areas": "all",
           "start": "2026-04-01", "due": "2027-03-31"}
    proposed = requests.post(f"{url}/api/actions", json=new | {"title": "Proposed by the lead."}, timeout=30,
                             auth=("da-lead", PASSWORDS["da-lead"]))
    created = requests.post(f"{url}/api/actions", json=new | {"title": "Created by an admin."}, timeout=30,
                            auth=("admin", PASSWORDS["admin"]))
    assert proposed.status_code == 201 and created.status_code == 201
    wanted = {proposed.json()["action_id"], created.json()["action_id"]}
    for _ in range(12):  # a new connection each time: the requests spread over the three workers
        listed = requests.get(f"{url}/api/actions.csv", timeout=30, headers={"Connection": "close"}).text
        assert all(f"\n{action_id}," in listed for action_id in wanted)
