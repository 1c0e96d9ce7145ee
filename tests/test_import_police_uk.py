"""Tests for the data.police.uk street-level importer (kcsp.importers.police_uk).

Fixtures are two 150-row samples of the real Kent Police files (tests/fixtures/police_uk). Every
expected count is computed here from the raw rows with the csv module and a lookup written out in
this file, never with the importer's own helpers. Zips, gzip, BOM and malformed variants are built
in tmp_path at test time.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from kcsp.importers.police_uk import ImportFailed, ImportReport, import_police_uk, read_police_uk
from kcsp.reference import reference_tables
from kcsp.store import Problem, Store

FIXTURES = Path(__file__).parent / "fixtures" / "police_uk"
JAN = FIXTURES / "2022-01-kent-street.csv"
FEB = FIXTURES / "2022-02-kent-street.csv"
REFERENCE_INDICATORS = Path(__file__).parent.parent / "data" / "partnerships" / "kent" / "indicators.csv"
TODAY = pd.Timestamp("2030-06-15")
START = pd.Timestamp("2024-01-01")

# Written out independently of kcsp.reference: the LSOA-name district -> ONS code.
DISTRICT_CODES = {
    "Ashford": "E07000105",
    "Canterbury": "E07000106",
    "Dartford": "E07000107",
    "Dover": "E07000108",
    "Gravesham": "E07000109",
    "Maidstone": "E07000110",
    "Sevenoaks": "E07000111",
    "Folkestone and Hythe": "E07000112",
    "Shepway": "E07000112",
    "Swale": "E07000113",
    "Thanet": "E07000114",
    "Tonbridge and Malling": "E07000115",
    "Tunbridge Wells": "E07000116",
    "Medway": "E06000035",
}
LOCAL_CODES = sorted(set(DISTRICT_CODES.values()))
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def raw_rows(*paths: Path) -> list[dict[str, str]]:
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def expected_counts(rows: list[dict[str, str]]) -> Counter:
    """(indicator_id, area_code, YYYY-MM) -> rows, straight from the raw rows."""
    out: Counter = Counter()
    for row in rows:
        lsoa = row["LSOA name"]
        if not lsoa:
            area = "NO-LOCATION"
        else:
            area = DISTRICT_CODES.get(lsoa[:-5], "OUTSIDE-KM")
        ind = "police-uk-" + row["Crime type"].lower().replace(" ", "-")
        out[(ind, area, row["Month"])] += 1
    return out


def stored_counts(store: Store) -> Counter:
    """Non-zero police.uk values from 2022 on (the template store holds one 2021-12 value)."""
    obs = store.read("observations")
    obs = obs[obs["indicator_id"].str.startswith("police-uk-") & (obs["value"] > 0)
              & (obs["period"] >= "2022-01-01")]
    return Counter({(r.indicator_id, r.area_code, r.period.strftime("%Y-%m")): int(r.value)
                    for r in obs.itertuples()})


def dir_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def template_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "store"
    tables = reference_tables(START)
    tables["observations"] = pd.DataFrame({
        "indicator_id": ["asb-incidents", "asb-incidents", "police-uk-burglary"],
        "area_code": ["E07000105", "E07000105", "E07000105"],
        "period": pd.to_datetime(["2022-01-01", "2021-12-01", "2021-12-01"]),
        "value": [7, 5, 3],
    })
    Store(root).write(tables)
    return root


@pytest.fixture()
def store(template_store, tmp_path) -> Store:
    root = tmp_path / "store"
    shutil.copytree(template_store, root)
    return Store(root)


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\r\n")


def write_lines(path: Path, lines: list[str], ending: str = "\r\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ending.join(lines).encode("utf-8"))
    return path


def csv_line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(fields)
    return buf.getvalue().removesuffix("\r\n")


def edit_field(path: Path, out: Path, line_no: int, column: str, value: str) -> Path:
    """Copy path to out with one field of one physical line (1 = header) replaced."""
    lines = lines_of(path)
    fields = next(csv.reader([lines[line_no - 1]]))
    fields[HEADER.split(",").index(column)] = value
    lines[line_no - 1] = csv_line(fields)
    return write_lines(out, lines)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def decoys() -> dict[str, bytes]:
    return {
        "2022-01/2022-01-kent-outcomes.csv": b"Crime ID,Month,Reported by,Falls within\r\nx,2022-01,a,b\r\n",
        "2022-01/2022-01-kent-stop-and-search.csv": b"Type,Date\r\nPerson search,2022-01-03\r\n",
    }


def assert_matches_raw(store: Store, report: ImportReport, *paths: Path) -> None:
    rows = raw_rows(*paths)
    expected = expected_counts(rows)
    assert stored_counts(store) == expected
    assert report.rows_read == len(rows) == sum(expected.values())
    assert report.months == sorted({r["Month"] for r in rows})


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------

def test_fixtures_hold_the_awkward_rows():
    rows = raw_rows(JAN, FEB)
    names = {r["LSOA name"][:-5] for r in rows if r["LSOA name"]}
    assert {"Shepway", "Folkestone and Hythe", "Medway", "Bexley"} <= names
    assert any(not r["LSOA name"] for r in rows)
    assert any(r["Crime type"] == "Anti-social behaviour" and not r["Crime ID"] for r in rows)
    assert JAN.read_bytes().count(b"\r\n") == 151
    assert lines_of(JAN)[0] == HEADER


def test_plain_csv_counts_match_raw_rows(store):
    report = import_police_uk(store, [JAN], today=TODAY)
    assert_matches_raw(store, report, JAN)
    assert report.files == [str(JAN)]
    assert store.validate() == []


def _folder(tmp: Path) -> list[Path]:
    root = tmp / "download"
    for src in (JAN, FEB):
        (root / src.name[:7]).mkdir(parents=True)
        shutil.copy(src, root / src.name[:7] / src.name)
    outcomes = decoys()["2022-01/2022-01-kent-outcomes.csv"]
    (root / "2022-01" / "2022-01-kent-outcomes.csv").write_bytes(outcomes)
    (root / "2022-02" / "2022-02-kent-stop-and-search.csv").write_bytes(b"Type,Date\r\n")
    return [root]


def _zip(tmp: Path) -> list[Path]:
    members = {f"{p.name[:7]}/{p.name}": p.read_bytes() for p in (JAN, FEB)}
    return [make_zip(tmp / "kent.zip", {**members, **decoys()})]


def _bom(tmp: Path) -> list[Path]:
    out = []
    for src in (JAN, FEB):
        dest = tmp / src.name
        dest.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())
        out.append(dest)
    return out


def _lf(tmp: Path) -> list[Path]:
    return [write_lines(tmp / p.name, lines_of(p), "\n") for p in (JAN, FEB)]


def _gz(tmp: Path) -> list[Path]:
    out = []
    for src in (JAN, FEB):
        dest = tmp / (src.name + ".gz")
        dest.write_bytes(gzip.compress(src.read_bytes()))
        out.append(dest)
    return out


def _gz_folder(tmp: Path) -> list[Path]:
    root = tmp / "gzipped"
    root.mkdir()
    _gz(root)
    return [root]


@pytest.mark.parametrize("build", [_folder, _zip, _bom, _lf, _gz, _gz_folder],
                         ids=["folder", "zip", "bom", "lf", "gz", "gz-folder"])
def test_every_input_form_counts_the_raw_rows(tmp_path, build):
    frame, report = read_police_uk(build(tmp_path))
    rows = raw_rows(JAN, FEB)
    got = Counter({(r.indicator_id, r.area_code, r.period.strftime("%Y-%m")): int(r.value)
                   for r in frame.itertuples() if r.value > 0})
    assert got == expected_counts(rows)
    assert report.rows_read == len(rows)
    assert report.months == ["2022-01", "2022-02"]
    assert len(report.files) == 2


def test_zip_members_are_named_archive_bang_member(tmp_path):
    (archive,) = _zip(tmp_path)
    _, report = read_police_uk([archive])
    assert report.files == [f"{archive}!2022-01/2022-01-kent-street.csv",
                            f"{archive}!2022-02/2022-02-kent-street.csv"]


def test_nothing_dropped_no_location_and_outside_counted(store):
    report = import_police_uk(store, [JAN, FEB], today=TODAY)
    rows = raw_rows(JAN, FEB)
    no_location = sum(1 for r in rows if not r["LSOA name"])
    outside = sum(1 for r in rows if r["LSOA name"] and r["LSOA name"][:-5] not in DISTRICT_CODES)
    assert no_location > 0 and outside > 0
    assert report.no_location == no_location
    assert report.outside == outside
    assert sum(report.rows_by_area.values()) + no_location + outside == len(rows)
    counts = stored_counts(store)
    assert sum(v for (_, a, _), v in counts.items() if a == "NO-LOCATION") == no_location
    assert sum(v for (_, a, _), v in counts.items() if a == "OUTSIDE-KM") == outside
    assert sum(counts.values()) == len(rows)


def test_report_has_every_district_and_a_check_line():
    _, report = read_police_uk([JAN])
    rows = raw_rows(JAN)
    assert len(report.rows_by_area) == 13
    assert set(report.rows_by_area) >= {"Folkestone and Hythe", "Medway", "Tunbridge Wells"}
    shepway = sum(1 for r in rows if r["LSOA name"][:-5] in ("Shepway", "Folkestone and Hythe"))
    assert report.rows_by_area["Folkestone and Hythe"] == shepway
    text = "\n".join(report.lines())
    assert f"rows read: {len(rows)}" in text
    assert "no location: " in text and "outside Kent and Medway: " in text
    assert f"every row counted: {len(rows)} = " in text
    assert "2022-01" in text


def test_frame_shape_and_zero_for_districts_without_rows():
    frame, report = read_police_uk([JAN, FEB])
    assert list(frame.columns) == ["indicator_id", "area_code", "period", "value"]
    assert frame["period"].dtype == "datetime64[ns]"
    assert pd.api.types.is_integer_dtype(frame["value"])
    assert not frame.duplicated(["indicator_id", "area_code", "period"]).any()
    local = frame[frame["area_code"].isin(LOCAL_CODES)]
    types = {"police-uk-" + r["Crime type"].lower().replace(" ", "-") for r in raw_rows(JAN, FEB)}
    assert len(local) == len(types) * 13 * 2  # every type x district/Medway x month, zeros included
    assert (local["value"] == 0).any()
    assert int(frame["value"].sum()) == report.rows_read


# ---------------------------------------------------------------------------------------------
# Replacing months
# ---------------------------------------------------------------------------------------------

def test_reimport_same_month_does_not_double(store):
    import_police_uk(store, [JAN], today=TODAY)
    first = store.read("observations").copy()
    import_police_uk(store, [JAN], today=TODAY)
    again = store.read("observations")
    pd.testing.assert_frame_equal(first.drop(columns="recorded_at"), again.drop(columns="recorded_at"))
    assert stored_counts(store) == expected_counts(raw_rows(JAN))


def test_changed_month_replaces_old_values_and_keeps_the_rest(store, tmp_path):
    import_police_uk(store, [JAN, FEB], today=TODAY)
    shorter = write_lines(tmp_path / "2022-01-kent-street.csv", [*lines_of(JAN)[:41], ""])
    import_police_uk(store, [shorter], today=TODAY)
    assert stored_counts(store) == expected_counts(raw_rows(shorter, FEB))
    obs = store.read("observations")
    others = obs[~obs["indicator_id"].str.startswith("police-uk-")]
    assert sorted(others["value"].tolist()) == [5, 7]  # illustrative series untouched
    old = obs[(obs["indicator_id"] == "police-uk-burglary") & (obs["period"] == "2021-12-01")]
    assert old["value"].tolist() == [3]  # a month not imported is kept


def test_indicators_exist_and_updated_is_today(store, tmp_path):
    before = store.read("indicators")
    odd = edit_field(JAN, tmp_path / "2022-01-kent-street.csv", 3, "Crime type", "Fraud and forgery")
    import_police_uk(store, [odd], today=TODAY)
    ind = store.read("indicators").set_index("indicator_id")
    new = ind.loc["police-uk-fraud-and-forgery"]
    assert new["priority_id"] == "neighbourhood-crime-asb"
    assert new["unit"] == "crimes" and new["polarity"] == "lower-is-better"
    assert new["geography"] == "district" and new["coverage"] == "kent-and-medway"
    assert not new["illustrative"]
    assert new["licence"] == "Open Government Licence v3.0"
    police = ind.index.str.startswith("police-uk-")
    assert (ind.loc[police, "updated"] == TODAY).all()
    assert ind.loc[~police, "updated"].isna().all()
    assert len(ind) == len(before) + 1
    assert stored_counts(store)[("police-uk-fraud-and-forgery", *_area_month(JAN, 3))] == 1
    assert store.validate() == []


def _area_month(path: Path, line_no: int) -> tuple[str, str]:
    row = raw_rows(path)[line_no - 2]
    lsoa = row["LSOA name"]
    area = "NO-LOCATION" if not lsoa else DISTRICT_CODES.get(lsoa[:-5], "OUTSIDE-KM")
    return area, row["Month"]


def test_known_indicator_missing_from_store_is_taken_from_reference(store):
    ind = store.read("indicators")
    Store(store.root).write({"indicators": ind[ind["indicator_id"] != "police-uk-drugs"]})
    import_police_uk(store, [JAN], today=TODAY)
    drugs = store.read("indicators").set_index("indicator_id").loc["police-uk-drugs"]
    with open(REFERENCE_INDICATORS, newline="", encoding="utf-8") as fh:
        ref = next(r for r in csv.DictReader(fh) if r["indicator_id"] == "police-uk-drugs")
    for column in ("priority_id", "name", "unit", "notes", "caveats", "source"):
        assert drugs[column] == ref[column]
    assert drugs["updated"] == TODAY
    assert store.validate() == []


def test_import_into_empty_folder(tmp_path):
    store = Store(tmp_path / "new-store")
    report = import_police_uk(store, [JAN, FEB], today=TODAY)
    assert store.exists()
    assert store.validate() == []
    assert_matches_raw(store, report, JAN, FEB)
    assert len(store.read("areas")) == 17


# ---------------------------------------------------------------------------------------------
# Rejected input: every problem named, the store byte-identical
# ---------------------------------------------------------------------------------------------

def _rows(path: Path) -> list[str]:
    return lines_of(path)


def case_empty(tmp):
    p = tmp / "2022-01-kent-street.csv"
    p.write_bytes(b"")
    return [p], (p.name, None, "file", "empty")


def case_header_only(tmp):
    p = write_lines(tmp / "2022-01-kent-street.csv", [HEADER, ""])
    return [p], (p.name, None, "file", "no data rows")


def case_binary(tmp):
    p = tmp / "2022-01-kent-street.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return [p], (p.name, None, "file", "not a text file")


def case_not_utf8(tmp):
    lines = _rows(JAN)
    p = tmp / "2022-01-kent-street.csv"
    fields = lines[4].split(",")
    fields[6] = "On or near Caf\xe9 Road"
    lines[4] = ",".join(fields)
    p.write_bytes("\r\n".join(lines).encode("latin-1"))
    return [p], (p.name, 5, "Location", "not UTF-8")


def case_missing_column(tmp):
    lines = [",".join(line.split(",")[:-1]) if line else line for line in _rows(JAN)]
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 1, "Context", "column is missing")


def case_extra_column(tmp):
    lines = [line + ",x" if line else line for line in _rows(JAN)]
    lines[0] = HEADER + ",Force"
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 1, "Force", "not expected")


def case_misnamed_column(tmp):
    lines = _rows(JAN)
    lines[0] = lines[0].replace("Crime type", "Crime Type")
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 1, "Crime type", "column is missing")


def case_columns_out_of_order(tmp):
    lines = _rows(JAN)
    lines[0] = lines[0].replace("Longitude,Latitude", "Latitude,Longitude")
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 1, "Latitude", "position 5")


def case_too_few_fields(tmp):
    lines = _rows(JAN)
    lines[6] = lines[6].rsplit(",", 2)[0]  # drop Last outcome category and Context
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 7, "Last outcome category", "10 fields, expected 12")


def case_too_many_fields(tmp):
    lines = _rows(JAN)
    lines[8] = lines[8] + ",surplus"
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 9, "Context", "13 fields, expected 12")


def case_month_13(tmp):
    p = edit_field(JAN, tmp / "2022-01-kent-street.csv", 4, "Month", "2022-13")
    return [p], (p.name, 4, "Month", "impossible month")


def case_month_two_digit_year(tmp):
    p = edit_field(JAN, tmp / "2022-01-kent-street.csv", 6, "Month", "22-01")
    return [p], (p.name, 6, "Month", "impossible month")


def case_empty_crime_type(tmp):
    p = edit_field(JAN, tmp / "2022-01-kent-street.csv", 10, "Crime type", "")
    return [p], (p.name, 10, "Crime type", "empty")


def case_bad_lsoa_name(tmp):
    p = edit_field(JAN, tmp / "2022-01-kent-street.csv", 12, "LSOA name", "Maidstone")
    return [p], (p.name, 12, "LSOA name", "not an LSOA name")


def case_blank_line_inside(tmp):
    lines = _rows(JAN)
    lines.insert(20, "")
    p = write_lines(tmp / "2022-01-kent-street.csv", lines)
    return [p], (p.name, 21, "file", "line is empty")


def case_corrupt_zip(tmp):
    (good,) = _zip(tmp)
    data = good.read_bytes()
    bad = tmp / "broken.zip"
    bad.write_bytes(data[: len(data) // 2])
    return [bad], ("broken.zip", None, "file", "not a valid zip file")


def case_corrupt_zip_member(tmp):
    data = JAN.read_bytes()
    p = tmp / "crc.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("2022-01/2022-01-kent-street.csv", data)
    raw = bytearray(p.read_bytes())
    at = raw.find(b"Ashford")
    raw[at:at + 7] = b"Ashfxrd"  # same length, CRC no longer matches
    p.write_bytes(bytes(raw))
    return [p], ("crc.zip!2022-01/2022-01-kent-street.csv", None, "file", "cannot be read from the zip")


def case_zip_without_street_files(tmp):
    p = make_zip(tmp / "outcomes.zip", decoys())
    return [p], ("outcomes.zip", None, "file", "no *-street.csv")


def case_folder_without_street_files(tmp):
    folder = tmp / "empty-download" / "2022-01"
    folder.mkdir(parents=True)
    (folder / "2022-01-kent-outcomes.csv").write_bytes(b"x\r\n")
    return [folder.parent], ("empty-download", None, "file", "no *-street.csv")


def case_missing_path(tmp):
    return [tmp / "nowhere" / "2022-01-kent-street.csv"], ("2022-01-kent-street.csv", None, "file",
                                                           "does not exist")


def case_bad_gzip(tmp):
    p = tmp / "2022-01-kent-street.csv.gz"
    p.write_bytes(JAN.read_bytes())
    return [p], (p.name, None, "file", "not a valid gzip")


def case_same_month_twice(tmp):
    (gz, _) = _gz(tmp)
    return [JAN, gz], (gz.name, 2, "Month", "2022-01 is also in")


def case_bad_file_among_good(tmp):
    bad = edit_field(FEB, tmp / "2022-02-kent-street.csv", 30, "Month", "2022-00")
    return [JAN, bad], (bad.name, 30, "Month", "impossible month")


CASES: dict[str, Callable] = {
    name.removeprefix("case_"): fn for name, fn in dict(globals()).items() if name.startswith("case_")
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_rejected_and_store_untouched(store, tmp_path, case):
    work = tmp_path / "input"
    work.mkdir()
    paths, (file_end, row, column, reason) = CASES[case](work)
    before = dir_hashes(store.root)
    with pytest.raises(ImportFailed) as info:
        import_police_uk(store, paths, today=TODAY)
    problems = info.value.problems
    assert problems and all(isinstance(p, Problem) for p in problems)
    hits = [p for p in problems if p.file.endswith(file_end) and p.row == row and p.column == column
            and reason in p.reason]
    assert hits, "\n".join(str(p) for p in problems)
    assert str(hits[0]).startswith(f"{hits[0].file}:{'' if row is None else row}: {column}: ")
    assert dir_hashes(store.root) == before


def test_every_problem_is_listed_with_physical_line_numbers(store, tmp_path):
    lines = _rows(JAN)
    fields = next(csv.reader([lines[2]]))
    fields[6] = "On or near\r\nTwo Lines"  # a quoted field over two physical lines: 3 and 4
    fields[1] = "2022-00"  # reported on the line the record starts on
    lines[2] = csv_line(fields)
    lines[4] = lines[4].replace("2022-01", "2022-13", 1)  # physical line 6 after the split field
    lines[9] = lines[9] + ",x"  # physical line 11
    p = write_lines(tmp_path / "2022-01-kent-street.csv", lines)
    before = dir_hashes(store.root)
    with pytest.raises(ImportFailed) as info:
        import_police_uk(store, [p], today=TODAY)
    got = [(x.row, x.column) for x in info.value.problems]
    assert got == [(3, "Month"), (6, "Month"), (11, "Context")]
    assert dir_hashes(store.root) == before


def test_problems_are_capped(tmp_path):
    lines = [HEADER] + [f",2022-{13 + i % 80},a,b,,,No Location,,,Drugs,," for i in range(300)] + [""]
    p = write_lines(tmp_path / "2022-01-kent-street.csv", lines)
    with pytest.raises(ImportFailed) as info:
        read_police_uk([p])
    assert info.value.total == 300
    assert len(info.value.problems) <= 201
    assert "more problems" in info.value.problems[-1].reason


def test_store_without_the_unallocated_areas_is_refused_untouched(store):
    areas = store.read("areas")
    Store(store.root).write({"areas": areas[areas["area_code"] != "OUTSIDE-KM"]})
    before = dir_hashes(store.root)
    with pytest.raises(ImportFailed) as info:
        import_police_uk(store, [JAN], today=TODAY)
    assert any(p.column == "area_code" and "OUTSIDE-KM" in p.reason for p in info.value.problems)
    assert dir_hashes(store.root) == before


def test_figures_replaced_later_are_what_an_earlier_day_still_sees(store, tmp_path, monkeypatch):
    from kcsp import audit, history

    monkeypatch.setattr(audit, "timestamp", lambda now=None: "2030-01-10T10:00:00Z")
    import_police_uk(store, [JAN, FEB], today=TODAY)
    first = store.read("observations").drop(columns="recorded_at")
    monkeypatch.setattr(audit, "timestamp", lambda now=None: "2030-03-10T10:00:00Z")
    shorter = write_lines(tmp_path / "2022-01-kent-street.csv", [*lines_of(JAN)[:41], ""])
    import_police_uk(store, [shorter], today=TODAY)
    assert stored_counts(store) == expected_counts(raw_rows(shorter, FEB)) != expected_counts(raw_rows(JAN, FEB))
    log = store.read("observations_replaced")
    assert set(log["replaced_by"]) == {"import police-uk"} and set(log["replacement"]) == {1}

    def held(day: str) -> pd.DataFrame:
        then = history.as_at(store.read_all(), pd.Timestamp(day))["observations"].drop(columns="recorded_at")
        return then.sort_values(["indicator_id", "area_code", "period"]).reset_index(drop=True)

    expected = first.sort_values(["indicator_id", "area_code", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(held("2030-02-01"), expected, check_dtype=False)
    assert held("2030-01-09")["indicator_id"].str.startswith("police-uk-").sum() <= 1, "figures before their import"
    now = store.read("observations").drop(columns="recorded_at")
    pd.testing.assert_frame_equal(held("2030-03-10"), now.sort_values(["indicator_id", "area_code", "period"])
                                  .reset_index(drop=True), check_dtype=False)
