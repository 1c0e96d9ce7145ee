"""A preview is imported once: five confirms of one preview at the same moment (threads, as gunicorn's
threads would send them; processes, as its workers would) make one import, and every other confirm
says which import it was. A new preview of the same file may be imported again; a confirm naming no
preview on record, or one of another file, measure or account, imports nothing."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kcsp.importers.common import ImportFailed
from kcsp.importers.indicator import import_indicator
from tests import partner_files as pf
from tests.fixture_store import file_hashes
from tests.support import ROOT, basic

CONFIRMS = 5


def upload(path: Path) -> str:
    return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()


def previewed(app, data_import, contents: str, user: str = "admin") -> dict:
    with app.server.test_request_context("/", headers=basic(user)):
        _, pending, disabled, _ = data_import.preview(contents, "da-incidents", None, "da.csv", "Kent Police")
    assert disabled is False
    return pending


def confirm(app, data_import, contents: str, pending: dict, user: str = "admin") -> str:
    with app.server.test_request_context("/", headers=basic(user)):
        result, disabled, _, _ = data_import.confirm(1, contents, "da.csv", pending, "Kent Police")
    assert disabled is True
    return str(result)


def at_once(count: int, work) -> list:
    """`work()` in `count` threads released together; their answers, or the exceptions they raised."""
    start = threading.Barrier(count)
    answers: list = [None] * count

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = work()
        except Exception as err:  # the test looks at what each confirm raised
            answers[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def test_five_parallel_confirms_of_one_preview_import_once(writable_store, tmp_path):
    import app
    from pages import data_import

    contents = upload(pf.da_long_csv(tmp_path / "da.csv"))
    pending = previewed(app, data_import, contents)
    answers = at_once(CONFIRMS, lambda: confirm(app, data_import, contents, pending))

    imports = writable_store.read("imports")
    assert len(imports) == 1 and imports.iloc[0]["import_id"] == "I000001"
    assert sum("Imported as I000001" in a for a in answers) == 1, answers
    assert sum("Already imported as I000001" in a for a in answers) == CONFIRMS - 1, answers
    observations = writable_store.read("observations")
    assert (observations["import_id"] == "I000001").sum() == imports.iloc[0]["rows"]
    audit = writable_store.read("audit")
    assert (audit["kind"] == "import-indicator").sum() == 1


def test_a_later_confirm_of_the_same_preview_imports_nothing(writable_store, tmp_path):
    import app
    from pages import data_import

    contents = upload(pf.da_long_csv(tmp_path / "da.csv"))
    pending = previewed(app, data_import, contents)
    assert "Imported as I000001" in confirm(app, data_import, contents, pending)
    before = file_hashes(writable_store.root)
    again = confirm(app, data_import, contents, pending)
    assert "Already imported as I000001" in again and "nothing was imported again" in again
    assert file_hashes(writable_store.root) == before

    fresh = previewed(app, data_import, contents)
    assert fresh["preview"] and fresh["preview"] != pending["preview"]
    assert "Imported as I000002" in confirm(app, data_import, contents, fresh)
    assert list(writable_store.read("imports")["import_id"]) == ["I000001", "I000002"]


def test_the_service_raises_already_imported_for_all_but_one(writable_store, tmp_path):
    from kcsp.importers.indicator import AlreadyImported

    data = pf.da_long_csv(tmp_path / "da.csv").read_bytes()
    plan = import_indicator(writable_store, "da-incidents", data, "da.csv", who="admin", dry_run=True,
                            keep_preview=True)
    answers = at_once(CONFIRMS, lambda: import_indicator(writable_store, "da-incidents", data, "da.csv",
                                                         who="admin", preview_id=plan.preview_id))
    imported = [a for a in answers if not isinstance(a, Exception)]
    assert len(imported) == 1 and imported[0].import_id == "I000001"
    refused = [a for a in answers if isinstance(a, Exception)]
    assert all(isinstance(a, AlreadyImported) and a.import_id == "I000001" for a in refused), refused
    assert "already imported as I000001" in str(refused[0])
    assert len(writable_store.read("imports")) == 1


WORKER = """
import sys
from pathlib import Path
from kcsp.importers.indicator import AlreadyImported, import_indicator
from kcsp.store import Store
store, data, preview = Store(sys.argv[1]), Path(sys.argv[2]).read_bytes(), sys.argv[3]
try:
    print(import_indicator(store, "da-incidents", data, "da.csv", who="admin", preview_id=preview).import_id)
except AlreadyImported as err:
    print("already", err.import_id)
"""


@pytest.mark.slow
def test_confirms_from_several_worker_processes_import_once(writable_store, tmp_path):
    path = pf.da_long_csv(tmp_path / "da.csv")
    plan = import_indicator(writable_store, "da-incidents", path.read_bytes(), "da.csv", who="admin",
                            dry_run=True, keep_preview=True)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(writable_store.root), str(path), plan.preview_id],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    said = sorted(out.strip() for out, _ in outputs)
    assert said == ["I000001", "already I000001", "already I000001"], said
    assert len(writable_store.read("imports")) == 1


def test_a_mark_without_its_import_leaves_the_preview_to_import(writable_store, tmp_path):
    """The mark is written before the tables: if their write failed, the preview may still be imported."""
    from kcsp.importers.indicator import PREVIEW_FOLDER, AlreadyImported

    data = pf.da_long_csv(tmp_path / "da.csv").read_bytes()
    plan = import_indicator(writable_store, "da-incidents", data, "da.csv", who="admin", dry_run=True,
                            keep_preview=True)
    record = writable_store.root / PREVIEW_FOLDER / f"{plan.preview_id}.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "import_id": "I000001"}))
    done = import_indicator(writable_store, "da-incidents", data, "da.csv", who="admin", preview_id=plan.preview_id)
    assert done.import_id == "I000001" and len(writable_store.read("imports")) == 1
    with pytest.raises(AlreadyImported):
        import_indicator(writable_store, "da-incidents", data, "da.csv", who="admin", preview_id=plan.preview_id)


@pytest.mark.parametrize("preview_id", ["", "../../users", "x" * 32, "a" * 500])
def test_a_preview_not_on_record_imports_nothing(writable_store, tmp_path, preview_id):
    data = pf.da_long_csv(tmp_path / "da.csv").read_bytes()
    before = file_hashes(writable_store.root)
    with pytest.raises(ImportFailed, match="preview the file again"):
        import_indicator(writable_store, "da-incidents", data, "da.csv", who="admin", preview_id=preview_id)
    assert file_hashes(writable_store.root) == before


def test_a_preview_confirms_only_its_own_file_and_account(writable_store, tmp_path):
    import app
    from pages import data_import

    good = pf.da_long_csv(tmp_path / "da.csv").read_bytes()
    plan = import_indicator(writable_store, "da-incidents", good, "da.csv", who="admin", dry_run=True,
                            keep_preview=True)
    other = pf.da_long_csv(tmp_path / "other.csv").read_bytes().replace(b"Incidents", b"Incidents ")
    with pytest.raises(ImportFailed, match="not of this file"):
        import_indicator(writable_store, "da-incidents", other, "da.csv", who="admin", preview_id=plan.preview_id)
    with pytest.raises(ImportFailed, match="another account"):
        import_indicator(writable_store, "da-incidents", good, "da.csv", who="analyst", preview_id=plan.preview_id)
    assert len(writable_store.read("imports")) == 0

    contents = upload(tmp_path / "da.csv")
    stale = {"indicator": "da-incidents", "sha256": plan.sha256, "sheet": ""}  # kept by a page from before
    assert "Preview the file first" in confirm(app, data_import, contents, stale)
    for junk in (["x"], {"indicator": 5, "sha256": plan.sha256, "sheet": "", "preview": plan.preview_id}):
        assert "Preview the file first" in confirm(app, data_import, contents, junk)
    assert len(writable_store.read("imports")) == 0
