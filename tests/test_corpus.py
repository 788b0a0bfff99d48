"""The corpus of real-world report variants (tests/corpus): every file comes out as its manifest says.

The files are generated at test time (tests/corpus/generate.py); the committed manifest must match
what the generator writes, so a change to either shows up in review.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.cli.reports import check_files
from etl.read.sandbox import SheetReader
from tests.conftest import run_etl
from tests.corpus import generate

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, generate.build(folder)


@pytest.fixture(scope="module")
def outcomes(corpus, empty_db) -> dict[str, object]:
    folder, manifest = corpus
    con = duckdb.connect(str(empty_db), read_only=True)
    found = {}
    try:
        with SheetReader(timeout=20) as reader:
            for entry in manifest:
                options = entry["options"]
                given = {"kecamatan": options.get("kecamatan"),
                         "periode": date.fromisoformat(options["periode"] + "-01") if "periode" in options else None}
                data = (folder / entry["file"]).read_bytes()
                (found[entry["file"]],) = check_files(con, [(entry["file"], data, None)], reader, replace=False, today=TODAY, **given)
    finally:
        con.close()
    return found


def _cells(issues) -> set[tuple]:
    return {(i.sheet, i.row, i.column) for i in issues}


def differences(entry: dict, result) -> list[str]:
    """How a file's outcome differs from its manifest entry (empty when it comes out as expected)."""
    wrong = []
    if result.status != entry["status"]:
        wrong.append(f"status {result.status}, expected {entry['status']}: " + "; ".join(i.message for i in result.errors[:3]))
    if entry["status"] == "accepted" and result.status == "accepted":
        periods = sorted({p.strftime("%Y-%m") for p in result.reports["periode"]})
        desa = sorted(set(result.reports["kode_desa"]))
        total = int(result.values["jumlah"].sum())
        for what, got, want in (("periode", periods, entry["periode"]), ("desa", desa, entry["desa"]), ("total", total, entry["total"])):
            if got != want:
                wrong.append(f"{what} {got}, expected {want}")
    want_errors = {tuple(e) for e in entry["errors"]}
    if _cells(result.errors) != want_errors:
        wrong.append(f"errors at {sorted(_cells(result.errors), key=str)}, expected {sorted(want_errors, key=str)}")
    missing = {tuple(w) for w in entry["warnings"]} - _cells(result.warnings)
    if missing:
        wrong.append(f"warnings missing at {sorted(missing, key=str)}")
    return wrong


def test_committed_manifest_is_what_the_generator_writes(corpus):
    _, manifest = corpus
    committed = json.loads((Path(generate.__file__).parent / "manifest.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(manifest))


def test_corpus_covers_every_format_and_outcome(corpus):
    _, manifest = corpus
    assert len(manifest) >= 60
    assert {e["format"] for e in manifest} == {"xlsx", "xls", "ods", "csv"}
    assert {e["status"] for e in manifest} == {"accepted", "rejected"}


def test_every_corpus_file_comes_out_as_its_manifest_says(corpus, outcomes, capsys):
    _, manifest = corpus
    failures = {e["file"]: differences(e, outcomes[e["file"]]) for e in manifest}
    failures = {k: v for k, v in failures.items() if v}
    passed = len(manifest) - len(failures)
    with capsys.disabled():
        print(f"\ncorpus: {passed} of {len(manifest)} files as expected ({100 * passed / len(manifest):.0f}%)")
        for file, wrong in failures.items():
            print(f"  {file}: {' | '.join(wrong)}")
    assert not failures


def test_a_rejected_file_lists_every_error_it_holds_in_one_run(corpus, outcomes):
    """Name, value and rule errors of one file are reported together, each with sheet, row and column."""
    _, manifest = corpus
    entry = next(e for e in manifest if e["file"] == "formulir_salah_tiga.xlsx")
    result = outcomes[entry["file"]]
    messages = {(i.row, i.column): i.message for i in result.errors}
    assert len(entry["errors"]) == 3 and len(messages) == 3
    (unknown,) = [m for m in messages.values() if "tidak dikenal" in m]
    (sums,) = [m for m in messages.values() if "L + P" in m]
    (text,) = [m for m in messages.values() if "'lima' bukan angka" in m]
    assert "Anak Putus Sekolah" in unknown and "99" in sums and text
    assert all(i.sheet == "Laporan" and i.row and i.column for i in result.errors)


def test_exact_repeat_is_a_warning_naming_both_rows(outcomes):
    result = outcomes["panjang_baris_rangkap.csv"]
    (warning,) = [w for w in result.warnings if "dua kali" in w.message]
    assert "baris 2 dan 4" in warning.message and "dihitung sekali" in warning.message
    assert int(result.values["jumlah"].sum()) == 6


def test_cli_analyst_says_kecamatan_and_month_only_where_the_file_is_silent(corpus, empty_db, tmp_path):
    import shutil

    folder, _ = corpus
    db = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, db)
    report = tmp_path / "hasil.json"
    silent = str(folder / "formulir_tanpa_bulan.xlsx")
    refused = run_etl("import", "--dry-run", silent, db=db)
    assert refused.returncode == 1 and "--periode" in refused.stdout
    run = run_etl("import", "--kecamatan", "35.23.18", "--periode", "2026-10", "--report-json", str(report), silent,
                  str(folder / "formulir_kembar_kecamatan_dipilih.xlsx"), str(folder / "formulir_resmi.xlsx"), db=db)
    assert run.returncode == 0, run.stdout + run.stderr
    files = {f["file"]: f for f in json.loads(report.read_text(encoding="utf-8"))["files"]}
    assert "Oktober 2026 dari pilihan analis" in files["formulir_tanpa_bulan.xlsx"]["note"]
    assert [r["kode_desa"] for r in files["formulir_tanpa_bulan.xlsx"]["reports"]] == ["35.23.11.2003"]  # its own kecamatan, Soko
    assert [r["kode_desa"] for r in files["formulir_kembar_kecamatan_dipilih.xlsx"]["reports"]] == ["35.23.18.2009"]
    assert "Palang (35.23.18) dari pilihan analis" in files["formulir_kembar_kecamatan_dipilih.xlsx"]["note"]
    assert files["formulir_resmi.xlsx"]["note"] == ""  # says both itself
    bad = run_etl("import", "--periode", "bulan depan", silent, db=db)
    assert bad.returncode == 2 and "--periode" in bad.stderr


@pytest.mark.parametrize(("title", "kecamatan"), [
    ("REKAPITULASI DATA PMKS KECAMATAN MONTONG KABUPATEN TUBAN", "MONTONG"),
    ("REKAPITULASI PMKS KEC. PALANG BULAN OKTOBER 2026", "PALANG"),
    ("LAPORAN PMKS Kec: Soko", "Soko"),
    ("DATA PMKS KECAMATAN TUBAN KAB. TUBAN", "TUBAN"),
])
def test_kecamatan_is_cut_out_of_a_title_line(title, kecamatan):
    from etl.find.context import header_block, title_facts

    facts = title_facts([[title]], 1) | header_block([[title]], 1)
    assert facts["kecamatan"][0] == kecamatan


@pytest.mark.parametrize(("text", "month"), [("X/2026", date(2026, 10, 1)), ("Bulan X Tahun 2026", date(2026, 10, 1)),
                                             ("BULAN : IX - 2026", date(2026, 9, 1)), ("Okt-26", date(2026, 10, 1))])
def test_months_in_roman_numerals(text, month):
    from etl.read.cells import find_period

    assert find_period(text) == month


def test_part_before_atau_names_the_indicator(empty_db):
    from etl.resolve.match import IndicatorMatcher

    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        matcher = IndicatorMatcher.from_db(con)
    finally:
        con.close()
    found = [matcher.match(t) for t in ("Anak yang Menjadi Korban Tindak Kekerasan", "Fakir Miskin atau Orang Tidak Mampu", "Penyandang Cacat")]
    assert [(m.code, m.how) for m in found] == [("AKTK", "exact"), ("FM", "exact"), ("PD", "exact")]
