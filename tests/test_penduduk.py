"""Desa population files as denominators: import (names, codes, recap), errors, replace, rollback, the figure each
month's rate uses, Prioritas and Tentang Data on a warehouse without demo data, and the admin page."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import openpyxl
import pytest

from common.errors import PMKSError
from dashboard import queries
from etl.read.sandbox import SheetReader
from etl.write.population import analyse, parse_acuan
from tests import popfiles as pf
from tests.conftest import check, num, open_snapshot, run_etl, table_fingerprint
from tests.test_pages import run_app

ACTIVE = """select kode_wilayah, acuan, acuan_label, sumber, jumlah, laki_laki, perempuan, perkiraan, sintetis, batch_id,
                   nama_berkas, sha256, sheet, baris, diterima from penduduk_desa where aktif order by kode_wilayah, acuan"""


@pytest.fixture()
def fresh_db(empty_db, tmp_path):
    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


@pytest.fixture(scope="module")
def desa(empty_db):
    return pf.gazetteer(empty_db)


def _query(db, sql: str, params=None) -> list:
    con = open_snapshot(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _stored(db, acuan: str = "2025-S2") -> dict[str, tuple]:
    rows = _query(db, "select kode_wilayah, jumlah, laki_laki, perempuan from penduduk_desa where aktif and acuan_label = ?", [acuan])
    return {k: (j, lk, p) for k, j, lk, p in rows}


def _import(db, path, *args) -> object:
    return run_etl("penduduk", "import", str(path), *args, db=db)


def _check_file(db, name: str, data: bytes, tanggal: str = "2025-S2", replace: bool = False):
    """The import's analysis of a file (read in the sandbox), without writing."""
    with SheetReader() as reader:
        sheets = reader.read(data, name)
    con = open_snapshot(db)
    try:
        return analyse(con, name, data, sheets, parse_acuan(tanggal), replace=replace)
    finally:
        con.close()


def test_dukcapil_file_with_names_imports_exactly(fresh_db, desa, tmp_path):
    values = pf.figures(desa)
    path = tmp_path / "dkb_2025_s2.xlsx"
    path.write_bytes(pf.dukcapil_xlsx(desa, values))
    out = check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2")).stdout
    assert "DITERIMA" in out and "328 desa" in out and "Tersimpan: penduduk 328 desa dalam batch impor" in out
    assert "Montong: 13 dari 13 desa" in out  # desa totals beside the kecamatan figure, not forced
    assert _stored(fresh_db) == {k: (lk + p, lk, p) for k, (lk, p) in values.items()}
    # twin names (Sumurgung in Montong, Tuban and Palang) each went to their own kecamatan
    twins = _query(fresh_db, """select p.kode_wilayah from penduduk_desa p join wilayah w on w.kode = p.kode_wilayah where w.nama = 'Sumurgung'""")
    assert len(twins) == 3
    provenance = _query(fresh_db, "select distinct acuan, sumber, nama_berkas, sha256 from penduduk_desa")
    assert provenance == [(date(2025, 12, 31), "dukcapil", "dkb_2025_s2.xlsx", hashlib.sha256(path.read_bytes()).hexdigest())]
    status = check(run_etl("status", db=fresh_db)).stdout
    assert "Penduduk desa: 328 dari 328 desa berangka nyata, 0 perkiraan (dukcapil 2025-S2)" in status
    again = check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2")).stdout
    assert "TIDAK BERUBAH" in again and "sudah diimpor" in again


def test_file_with_codes_and_a_bps_recap_import_exactly(fresh_db, desa, tmp_path):
    values = pf.figures(desa, shift=3)
    path = tmp_path / "ekspor_kode.csv"
    path.write_bytes(pf.codes_csv(desa, values))
    check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2026-S1"))
    assert _stored(fresh_db, "2026-S1") == {k: (lk + p, lk, p) for k, (lk, p) in values.items()}

    montong = {k: v for k, v in pf.figures(desa, shift=40).items() if k.startswith("35.23.10.")}
    result = _check_file(fresh_db, "montong_dalam_angka.xlsx", pf.recap_xlsx("Montong", desa, montong), "2024")
    assert result.status == "accepted" and result.layouts == ["recap"] and not result.issues
    assert dict(zip(result.rows["kode_wilayah"], result.rows["jumlah"])) == {k: lk + p for k, (lk, p) in montong.items()}


def test_broken_file_lists_every_error_and_changes_nothing(fresh_db, desa, tmp_path):
    values = pf.figures(desa[:40])
    bad_rows = [
        [41, "MONTONG", "DESA FIKTIF", 10, 10, 20],  # not a desa of Montong
        [42, "KEC ANTAH", "PAKEL", 10, 10, 20],  # no such kecamatan
        [43, "MONTONG", "PAKEL", 1000, 900, 2000],  # L + P != Jumlah
        [44, "MONTONG", "NGULUHAN", "seribu", 900, 1900],  # not a number
        [45, "", "", 10, 10, 20],  # numbers without a desa
        [46, "MONTONG", "TANGGULANGIN", 0, 0, 0],  # zero population
        [47, "MONTONG", "DESA KHAYALAN", 10, "-5", 5],  # two errors in one row
    ]
    first = desa[0]
    bad_rows.append([48, first[1].upper(), first[2].upper(), 5, 5, 10])  # the same desa twice
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(pf.dukcapil_xlsx(desa[:40], values, bad_rows))
    before = table_fingerprint(fresh_db)
    r = _import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2")
    assert r.returncode == 1 and "DITOLAK" in r.stdout and "Tidak ada yang disimpan" in r.stdout
    at = "rusak.xlsx, lembar 'DKB', baris {}, kolom {}: "
    for row, col, text in [(45, "C", "desa 'DESA FIKTIF' tidak ditemukan di Kecamatan Montong"),
                           (46, "B", "kecamatan 'KEC ANTAH' tidak dikenal"),
                           (47, "F", "L + P = 1.000 + 900 = 1.900, tetapi jumlah tertulis 2.000"),
                           (48, "D", "L (laki-laki): 'seribu' bukan angka"),
                           (49, "C", "nama/kode desa kosong padahal ada angka"),
                           (50, "F", "jumlah penduduk Tanggulangin (Kec. Montong) 0"),
                           (51, "C", "desa 'DESA KHAYALAN' tidak ditemukan di Kecamatan Montong"),
                           (51, "E", "P (perempuan): '-5' negatif"),
                           (52, "F", f"{first[2]} (Kec. {first[1]}) tertulis lebih dari sekali (baris 5, 52)")]:
        assert at.format(row, col) + text in r.stdout, (row, text, r.stdout)
    assert table_fingerprint(fresh_db) == before


def test_dry_run_writes_nothing(fresh_db, desa, tmp_path):
    path = tmp_path / "dkb.xlsx"
    path.write_bytes(pf.dukcapil_xlsx(desa, pf.figures(desa)))
    before = table_fingerprint(fresh_db)
    out = check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2", "--dry-run")).stdout
    assert "DITERIMA" in out and "--dry-run" in out
    assert table_fingerprint(fresh_db) == before


def test_replace_and_rollback_restore_exactly(fresh_db, desa, tmp_path):
    values = pf.figures(desa)
    first = tmp_path / "dkb.xlsx"
    first.write_bytes(pf.dukcapil_xlsx(desa, values))
    check(_import(fresh_db, first, "--sumber", "dukcapil", "--tanggal", "2025-S2"))
    original = _query(fresh_db, ACTIVE)
    changed = dict(values)
    montong = [d for d in desa if d[1] == "Montong"][:2]
    for k, _, _ in montong:
        changed[k] = (values[k][0] + 50, values[k][1] + 10)
    second = tmp_path / "dkb_revisi.xlsx"
    second.write_bytes(pf.dukcapil_xlsx(desa, changed))

    before = table_fingerprint(fresh_db)
    refused = _import(fresh_db, second, "--sumber", "dukcapil", "--tanggal", "2025-S2")
    assert refused.returncode == 1 and refused.stdout.count("sudah ada (Dukcapil, berkas 'dkb.xlsx')") == 2
    assert table_fingerprint(fresh_db) == before

    out = check(_import(fresh_db, second, "--sumber", "dukcapil", "--tanggal", "2025-S2", "--replace")).stdout
    name, (lk, p) = montong[0][2], values[montong[0][0]]
    assert f"{name}: {lk + p:,} → {lk + p + 60:,}".replace(",", ".") in out and "326 desa sama dengan yang tersimpan dan dilewati" in out
    assert _stored(fresh_db) == {k: (a + b, a, b) for k, (a, b) in changed.items()}
    batch = _query(fresh_db, "select max(id) from impor_batch")[0][0]

    undone = check(run_etl("penduduk", "rollback", str(batch), db=fresh_db)).stdout
    assert "2 angka desa dicabut, 2 angka lama dipulihkan" in undone
    assert _query(fresh_db, ACTIVE) == original
    r = run_etl("rollback", str(batch), db=fresh_db)  # the general rollback knows population batches too
    assert r.returncode == 1 and "sudah dibatalkan" in r.stderr
    check(run_etl("rollback", str(batch - 1), db=fresh_db))
    assert _query(fresh_db, "select count(*) from penduduk_desa where aktif") == [(0,)]


def test_a_jump_beyond_a_quarter_is_a_warning(fresh_db, desa, tmp_path):
    values = pf.figures(desa)
    path = tmp_path / "s2.xlsx"
    path.write_bytes(pf.dukcapil_xlsx(desa, values))
    check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2"))
    later = dict(values)
    (k1, kec1, n1), (k2, _, _) = desa[0], desa[1]
    later[k1] = (round(values[k1][0] * 1.4), round(values[k1][1] * 1.4))
    later[k2] = (round(values[k2][0] * 1.1), round(values[k2][1] * 1.1))
    result = _check_file(fresh_db, "s1.xlsx", pf.dukcapil_xlsx(desa, later), "2026-S1")
    assert result.status == "accepted"
    assert [(i.severity, i.row) for i in result.issues] == [("warning", 5)]
    assert f"{n1} (Kec. {kec1})" in result.issues[0].message and "Dukcapil Semester II 2025" in result.issues[0].message


def test_reference_dates():
    today = date(2026, 11, 30)
    assert parse_acuan("2025-S2", today).tanggal == date(2025, 12, 31)
    assert parse_acuan("2026 s1", today).tanggal == date(2026, 6, 30)
    assert parse_acuan("2025", today).label == "2025"
    for bad in ("2026-S2", "S2", "2025-S3", "25"):
        with pytest.raises(PMKSError):
            parse_acuan(bad, today)


def _two_semesters(db, desa, tmp_path) -> tuple[dict, dict]:
    a, b = pf.figures(desa), pf.figures(desa, shift=200)
    for tanggal, values in (("2025-S2", a), ("2026-S1", b)):
        path = tmp_path / f"dkb_{tanggal}.xlsx"
        path.write_bytes(pf.dukcapil_xlsx(desa, values))
        check(_import(db, path, "--sumber", "dukcapil", "--tanggal", tanggal))
    return a, b


def test_a_rate_across_two_semesters_uses_each_months_figure(fresh_db, desa, tmp_path):
    a, b = _two_semesters(fresh_db, desa, tmp_path)
    montong = [d for d in desa if d[1] == "Montong"]
    rows = [("Montong", n, "Fakir Miskin", month, 30 + i) for i, (_, _, n) in enumerate(montong) for month in ("Maret 2026", "Juli 2026")]
    pmks = tmp_path / "pmks.csv"
    pmks.write_bytes(pf.pmks_long_csv(rows))
    check(run_etl("import", str(pmks), db=fresh_db))
    con = open_snapshot(fresh_db)
    try:
        rates = queries.area_monthly_rates(con, date(2026, 3, 1), date(2026, 7, 1), "desa", "35.23.10")
        march = queries.by_wilayah(con, date(2026, 3, 1), queries.Selection("35.23.10"), "desa").set_index("kode")
        early = queries.population(con, "desa", "35.23.10", date(2025, 1, 1)).set_index("kode")
    finally:
        con.close()
    assert len(rates) == 2 * len(montong)
    for row in rates.itertuples():
        figure = a if row.periode.month == 3 else b
        assert row.penduduk == sum(figure[row.kode])
        assert row.per_1000 == pytest.approx(row.jumlah / sum(figure[row.kode]) * 1000)
        assert row.sumber_penduduk == ("Dukcapil Semester II 2025" if row.periode.month == 3 else "Dukcapil Semester I 2026")
    assert march["per_1000"].to_dict() == pytest.approx({k: 1000 * (30 + i) / sum(a[k]) for i, (k, _, _) in enumerate(montong)})
    assert early["penduduk"].to_dict() == {k: sum(a[k]) for k, _, _ in montong}  # before every figure: the earliest after


def test_prioritas_ranks_desa_from_an_imported_file_without_demo_data(monkeypatch, fresh_db, desa, tmp_path):
    values = pf.figures(desa)
    path = tmp_path / "dkb.xlsx"
    path.write_bytes(pf.dukcapil_xlsx(desa, values))
    check(_import(fresh_db, path, "--sumber", "dukcapil", "--tanggal", "2025-S2"))
    soko = [d for d in desa if d[1] == "Soko"]
    rows = [("Soko", n, ind, "Oktober 2026", (i * 7 + j * 3) % 11 + 1) for i, (_, _, n) in enumerate(soko)
            for j, ind in enumerate(("Fakir Miskin", "Lanjut Usia Terlantar", "Anak Terlantar", "Penyandang Disabilitas"))]
    pmks = tmp_path / "soko.csv"
    pmks.write_bytes(pf.pmks_long_csv(rows))
    check(run_etl("import", str(pmks), db=fresh_db))
    assert _query(fresh_db, "select count(*) from laporan where sintetis") == [(0,)]

    at = run_app(monkeypatch, fresh_db, "pages/prioritas.py", query={"periode": "2026-10"})
    assert not at.exception
    df = at.dataframe[0].value
    ranked = df[df["Peringkat"] != "—"]  # the table is text: unranked rows show a dash
    assert sorted(ranked["Desa/Kelurahan"]) == sorted(n for _, _, n in soko)
    assert sorted(ranked["Peringkat"].astype(int)) == list(range(1, len(soko) + 1))
    assert set(ranked["Sumber penduduk"]) == {"Dukcapil Semester II 2025"}
    by_name = dict(zip(ranked["Desa/Kelurahan"], map(num, ranked["Penduduk"])))
    assert by_name == {n: sum(values[k]) for k, _, n in soko}
    assert not any("perkiraan" in str(c) for c in ranked["Catatan"])
    assert not at.warning

    tentang = run_app(monkeypatch, fresh_db, "pages/tentang.py")
    assert not tentang.exception
    listed = tentang.dataframe[0].value
    assert {"Dukcapil Semester II 2025", "Sensus Penduduk 2020 (BPS)"} <= set(listed["Sumber dan keadaan"])
    assert "dkb.xlsx" in " ".join(listed["Berkas"].astype(str))


def test_admin_page_upload_preview_confirm_and_coverage(monkeypatch, fresh_db, desa):
    montong = {k: v for k, v in pf.figures(desa).items() if k.startswith("35.23.10.")}
    at = run_app(monkeypatch, fresh_db, "pages/pengaturan.py")
    assert not at.exception
    coverage = next(d.value for d in at.dataframe if "Angka nyata" in d.value.columns)
    assert sum(map(num, coverage["Angka nyata"])) == 0 and sum(map(num, coverage["Tidak ada"])) == 328
    at.selectbox(key="penduduk_sumber").set_value("bps").run()  # the dates offered follow the source
    at.selectbox(key="penduduk_acuan").set_value(parse_acuan("2025"))
    uploader = next(u for u in at.get("file_uploader") if u.key.startswith("penduduk_berkas_"))
    uploader.set_value([("montong.xlsx", pf.recap_xlsx("Montong", desa, montong), "application/octet-stream")]).run()
    assert not at.exception
    preview = next(d.value for d in at.dataframe if "Desa/Kelurahan" in d.value.columns)
    assert len(preview) == 13 and {num(j) for j in preview["Jumlah"]} == {lk + p for lk, p in montong.values()}
    assert all("." in j for j in preview["Jumlah"])  # 4.191, not 4191 (issue 27)
    tally = next(d.value for d in at.dataframe if "Angka dibaca" in d.value.columns)  # every number of the file accounted for
    assert tally[["Angka dibaca", "Jumlah/total diperiksa", "Tidak terbaca"]].values.tolist() == [["13", "1", "0"]]
    assert _query(fresh_db, "select count(*) from penduduk_desa") == [(0,)]  # nothing before the button
    at.button(key="penduduk_simpan").click().run()
    assert not at.exception
    assert any("disimpan dalam batch" in s.value for s in at.success)
    assert _stored(fresh_db, "2025") == {k: (lk + p, None, None) for k, (lk, p) in montong.items()}
    coverage = next(d.value for d in at.dataframe if "Angka nyata" in d.value.columns).set_index("Kecamatan")
    assert num(coverage.at["Montong", "Angka nyata"]) == 13 and coverage.at["Montong", "Sumber dan keadaan"] == "BPS 2025"
    assert num(coverage.at["Montong", "Jumlah desa (nyata)"]) == sum(lk + p for lk, p in montong.values())
    census = _query(fresh_db, "select jumlah from penduduk where kode_wilayah = '35.23.10' and tahun = 2020")[0][0]
    assert num(coverage.at["Montong", "Angka kecamatan"]) == census  # beside, not forced
    assert coverage.at["Montong", "Sumber angka kecamatan"] == "Sensus Penduduk 2020 (BPS)"


def test_blank_template_round_trip(fresh_db, desa, tmp_path):
    out = tmp_path / "templat.xlsx"
    check(run_etl("template", "--penduduk", "--out", str(out), db=fresh_db))
    book = openpyxl.load_workbook(out)
    sheet = book["Penduduk"]
    assert [c.value for c in sheet[4]] == ["Kode Desa", "Kecamatan", "Desa/Kelurahan", "L", "P", "Jumlah"]
    filled = {}
    for r in range(5, 10):  # fill five desa, leave the rest blank
        sheet.cell(r, 4, 1000 + r)
        sheet.cell(r, 5, 1100 + r)
        filled[sheet.cell(r, 1).value] = 2100 + 2 * r
    book.save(out)
    result = _check_file(fresh_db, "templat.xlsx", out.read_bytes(), "2025")
    assert result.status == "accepted" and dict(zip(result.rows["kode_wilayah"], result.rows["jumlah"])) == filled
    assert result.issues == [] and result.note == "323 desa dibiarkan kosong dan dilewati; angkanya tidak berubah"  # no warning (issue 27)


def test_real_figures_before_estimates_and_never_mixed_silently(monkeypatch, demo_db, desa, tmp_path):
    montong = {k: v for k, v in pf.figures(desa, shift=400).items() if k.startswith("35.23.10.")}
    path = tmp_path / "montong.xlsx"
    path.write_bytes(pf.recap_xlsx("Montong", desa, montong))
    out = check(_import(demo_db, path, "--sumber", "bps", "--tanggal", "2025")).stdout
    assert "peringatan" not in out  # the demo's synthetic estimates are no previous figure of a real one
    con = open_snapshot(demo_db)
    try:
        pop = queries.population(con, "desa", "35.23", date(2026, 10, 1)).set_index("kode")
    finally:
        con.close()
    real = pop.loc[list(montong)]
    assert real["penduduk"].to_dict() == {k: lk + p for k, (lk, p) in montong.items()}  # older, but real
    assert set(real["sumber_penduduk"]) == {"BPS 2025"} and not real["perkiraan"].any()
    others = pop.drop(index=list(montong))
    assert set(others["sumber_penduduk"]) == {"Perkiraan sintetis (demo) Semester I 2026"} and others["perkiraan"].all()

    at = run_app(monkeypatch, demo_db, "pages/prioritas.py", query={"periode": "2026-10"})
    assert not at.exception
    assert any("mencampur penduduk nyata dan perkiraan" in w.value for w in at.warning)
    df = at.dataframe[0].value
    names = {n for k, _, n in desa if k in montong}
    mont = df[(df["Kecamatan"] == "Montong") & df["Desa/Kelurahan"].isin(names)]
    assert set(mont["Sumber penduduk"]) == {"BPS 2025"}
    assert df[df["Kecamatan"] != "Montong"]["Catatan"].str.contains("penduduk perkiraan").all()


def test_rates_say_their_population_in_hover_and_the_exported_tables(monkeypatch, built_db):
    from tests.test_maps import figure

    at = run_app(monkeypatch, built_db, "pages/peta.py", query={"ukuran": "per1000", "periode": "2026-10", "kec": "35.23.10"})
    assert not at.exception
    trace = figure(at)["data"][0]
    # one source shared by every area is written once in the template, not once per area
    assert "Penduduk: Perkiraan sintetis (demo) Semester I 2026" in trace["hovertemplate"]
    at.session_state["peta_tabel"] = True  # open "Tabel di balik peta" (drawn only when opened)
    at.run()
    table = next(d.value for d in at.dataframe if "Sumber penduduk" in d.value.columns)
    assert set(table["Sumber penduduk"]) == {"Perkiraan sintetis (demo) Semester I 2026"}

    at = run_app(monkeypatch, built_db, "pages/ringkasan.py", query={"ukuran": "per1000", "periode": "2026-10"})
    assert not at.exception
    at.session_state["ringkasan_rinci"] = "Per wilayah"  # the bars per kecamatan are on this tab
    at.run()
    bars = next(t for f in (figure(at, i) for i in range(len(at.get("plotly_chart")))) for t in f["data"] if t["type"] == "bar"
                and "Penduduk" in t.get("hovertemplate", ""))
    assert "Sensus Penduduk 2020 (BPS)" in bars["customdata"]  # kecamatan rates over the census


def test_saved_aliases_and_near_misses_are_used_for_desa_names(fresh_db, desa):
    montong = [d for d in desa if d[1] == "Montong"]
    values = {k: (500 + i, 600 + i) for i, (k, _, _) in enumerate(montong)}
    check(run_etl("alias", "Guwo Terus Lor", "--desa", montong[0][0], db=fresh_db))
    renamed = [(k, kec, "Guwo Terus Lor" if k == montong[0][0] else (n + "n" if k == montong[1][0] else n)) for k, kec, n in montong]
    result = _check_file(fresh_db, "montong.xlsx", pf.recap_xlsx("Montong", renamed, values), "2025")
    assert result.status == "accepted"
    assert dict(zip(result.rows["kode_wilayah"], result.rows["jumlah"])) == {k: a + b for k, (a, b) in values.items()}
    assert [(i.severity, i.row, i.column) for i in result.issues] == [("warning", 7, "A")]
    assert f"dibaca sebagai {montong[1][2]} (Kec. Montong)" in result.issues[0].message


def test_a_real_file_takes_the_demos_estimate_of_the_same_date_and_rollback_gives_it_back(demo_db, desa, tmp_path):
    montong = {k: v for k, v in pf.figures(desa).items() if k.startswith("35.23.10.")}
    demo_rows = _query(demo_db, ACTIVE)
    path = tmp_path / "montong.xlsx"
    path.write_bytes(pf.recap_xlsx("Montong", desa, montong))
    out = check(_import(demo_db, path, "--sumber", "desa", "--tanggal", "2026-S1")).stdout  # the demo's date, no --replace
    assert "DITERIMA" in out
    assert _query(demo_db, "select count(*), bool_or(sintetis) from penduduk_desa where aktif and kode_wilayah like '35.23.10.%'") == [(13, False)]
    batch = _query(demo_db, "select max(id) from impor_batch")[0][0]
    check(run_etl("penduduk", "rollback", str(batch), db=demo_db))
    assert _query(demo_db, ACTIVE) == demo_rows


def test_a_dukcapil_export_with_split_codes_is_matched_by_names(fresh_db, desa):
    """Open-data exports split the code (KODE KEC 10, KODE DESA 2001): the names decide, within the kecamatan."""
    values = pf.figures(desa)
    lines = ["NO,KODE PROV,NAMA PROV,KODE KAB,NAMA KAB,KODE KEC,NAMA KEC,KODE DESA,NAMA DESA,LAKI-LAKI,PEREMPUAN,JUMLAH"]
    lines += [f"{i},35,JAWA TIMUR,23,TUBAN,{k[6:8]},{kec.upper()},{k[9:]},{name.upper()},{lk},{p},{lk + p}"
              for i, (k, kec, name) in enumerate(desa, start=1) for lk, p in [values[k]]]
    result = _check_file(fresh_db, "dkb_opendata.csv", ("\n".join(lines) + "\n").encode(), "2025-S2")
    assert result.status == "accepted" and not result.issues
    assert dict(zip(result.rows["kode_wilayah"], result.rows["jumlah"])) == {k: lk + p for k, (lk, p) in values.items()}


def test_usage_errors_exit_2_with_an_indonesian_message(fresh_db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Kode Desa;Jumlah\n35.23.10.2001;1200\n", encoding="utf-8")
    for args, text in [(("--sumber", "dukcapil", "--tanggal", "2025-S3"), "tanggal acuan '2025-S3' tidak dikenali"),
                       (("--sumber", "kelurahan", "--tanggal", "2025"), "pilihan tidak sah"),
                       (("--sumber", "bps"), "argumen wajib belum diisi: --tanggal")]:
        r = _import(fresh_db, path, *args)
        assert r.returncode == 2 and text in r.stderr, (args, r.stderr)
    r = run_etl("penduduk", "import", str(tmp_path / "tidak_ada.xlsx"), "--sumber", "bps", "--tanggal", "2025", db=fresh_db)
    assert r.returncode == 2 and "tidak ada atau bukan berkas biasa" in r.stderr
    r = run_etl("penduduk", "rollback", "99", db=fresh_db)
    assert r.returncode == 1 and "bukan batch impor penduduk" in r.stderr
