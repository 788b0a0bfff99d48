"""AppTest of the upload and history pages: preview, confirmation, replacement, alias, rejection, rollback."""

from __future__ import annotations

import pytest

from tests import reportfiles as rf
from tests.conftest import offered, open_snapshot, sample_codes, table_fingerprint
from tests.test_ingest import _active_state
from tests.test_pages import run_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def codes() -> dict[tuple[str, str], str]:
    return sample_codes()


@pytest.fixture()
def fresh_db(empty_db, tmp_path):
    import shutil

    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


def uploader(at):
    return next(u for u in at.get("file_uploader") if u.key.startswith("unggah_berkas_"))


def upload(at, *files):
    uploader(at).set_value([(name, data, XLSX) for name, data in files]).run()
    assert not at.exception, at.exception
    return at


MARKER = {"riwayat_tabel": "Batch", "riwayat_audit": "Aksi", "unggah_ringkasan": "Berkas", "unggah_masalah": "Tingkat", "unggah_laporan": "Bulan"}


def tables(at) -> dict:
    """The page's tables by name (AppTest does not expose a dataframe's key): issue and preview tables numbered."""
    from tests.conftest import html_tables

    found, counters = {}, {}
    for frame in [d.value for d in at.dataframe] + html_tables(at):  # issues are plain HTML tables (their messages wrap)
        for name, column in MARKER.items():
            if column in frame.columns:
                if name in ("unggah_masalah", "unggah_laporan"):
                    counters[name] = counters.get(name, -1) + 1
                    found[f"{name}_{counters[name]}"] = frame
                else:
                    found[name] = frame
                break
    return found


def fm(db, desa_code) -> list:
    con = open_snapshot(db)
    try:
        return con.execute("select periode, jumlah from pmks_counts where kode_desa = ? and kode_indikator = 'FM' order by 1", [desa_code]).fetchall()
    finally:
        con.close()


def test_good_file_is_previewed_then_saved_on_confirmation(monkeypatch, fresh_db, codes):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    assert not at.exception
    assert any(b.label.startswith("Unduh formulir") for b in offered(at))
    before = table_fingerprint(fresh_db)
    upload(at, ("menilo.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12, "Pengemis": 2})))
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Diterima"]
    preview = found["unggah_laporan_0"]
    assert preview["Desa"].tolist() == ["Menilo (Kec. Soko)"] and preview["Jumlah jiwa"].tolist() == [14]
    assert table_fingerprint(fresh_db) == before  # nothing written before confirmation
    at.button(key="unggah_simpan").click().run()
    assert not at.exception
    assert fm(fresh_db, codes[("Soko", "Menilo")])[0][1] == 12
    assert any("Tersimpan sebagai batch impor" in s.value for s in at.success)


def test_rejected_file_shows_where_and_saves_nothing(monkeypatch, fresh_db):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    before = table_fingerprint(fresh_db)
    upload(at, ("buruk.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": "dua"})))
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Ditolak"]
    issues = found["unggah_masalah_0"]
    assert issues.iloc[0][["Tingkat", "Lembar", "Baris", "Kolom"]].tolist() == ["kesalahan", "Laporan", "11", "E"]
    assert "'dua' bukan angka" in issues.iloc[0]["Pesan"]
    assert not [b for b in at.button if b.key == "unggah_simpan"]
    assert table_fingerprint(fresh_db) == before


def test_replacement_needs_explicit_confirmation_and_shows_the_difference(monkeypatch, fresh_db, codes):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("a.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12})))
    at.button(key="unggah_simpan").click().run()
    upload(at, ("b.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 19})))
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Ditolak"]  # exists, and replacing was not asked for
    at.checkbox(key="unggah_ganti").check().run()
    assert any("Menilo, Fakir Miskin: 12 → 19" in c.value for c in at.code)
    save = at.button(key="unggah_simpan")
    assert save.disabled  # replacing needs the second confirmation
    at.checkbox(key="unggah_setuju_ganti").check().run()
    at.button(key="unggah_simpan").click().run()
    assert not at.exception
    assert fm(fresh_db, codes[("Soko", "Menilo")]) == [(fm(fresh_db, codes[("Soko", "Menilo")])[0][0], 19)]


def _audit(db) -> list:
    con = open_snapshot(db)
    try:
        return con.execute("select aksi, objek, rincian from audit where aksi = 'alias' order by waktu").fetchall()
    finally:
        con.close()


def test_unmatched_desa_is_placed_in_the_preview_and_kept_as_an_alias_on_saving(monkeypatch, fresh_db, codes):
    """Issue 22 point 5: the choice counts at once (the preview is checked again), is saved as an audited alias only
    with Simpan, and the next file with that name reads without asking."""
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("x.xlsx", rf.form_xlsx("Pakel Kulon", "Montong", "Oktober 2026", {"Fakir Miskin": 4})))
    assert tables(at)["unggah_ringkasan"]["Status"].tolist() == ["Ditolak"]
    picker = next(s for s in at.selectbox if s.key.startswith("unggah_pilih_"))
    assert picker.options[0] == "– pilih –" and "Pakel (Kec. Montong)" in picker.options
    picker.set_value(codes[("Montong", "Pakel")]).run()
    assert not at.exception, at.exception
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Diterima"]  # the preview follows the choice
    assert found["unggah_laporan_0"]["Desa"].tolist() == ["Pakel (Kec. Montong)"]
    assert _audit(fresh_db) == []  # nothing saved before Simpan
    at.button(key="unggah_simpan").click().run()
    assert not at.exception
    con = open_snapshot(fresh_db)
    assert con.execute("select alias, kode_desa from alias_desa").fetchall() == [("pakel kulon", codes[("Montong", "Pakel")])]
    con.close()
    assert [(a, o) for a, o, _ in _audit(fresh_db)] == [("alias", "Pakel Kulon")]
    assert fm(fresh_db, codes[("Montong", "Pakel")])[0][1] == 4
    upload(at, ("y.xlsx", rf.form_xlsx("Pakel Kulon", "Montong", "September 2026", {"Fakir Miskin": 5})))
    assert tables(at)["unggah_ringkasan"]["Status"].tolist() == ["Diterima"]
    assert not [s for s in at.selectbox if s.key.startswith("unggah_pilih_")]  # known now: nothing to ask


def test_an_unknown_column_header_gets_a_pmks_picker(monkeypatch, fresh_db, codes):
    """A recap header nobody knows ('Anak Putus Sekolah'): the analyst says which PMKS type it is, once."""
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    rows = {"Sumurgung": {"Fakir Miskin": 3, "Anak Putus Sekolah": 2, "Pengemis": 1}, "Pakel": {"Fakir Miskin": 1, "Anak Putus Sekolah": 4, "Pengemis": 0}}
    upload(at, ("rekap.xlsx", rf.recap_xlsx("Montong", "Oktober 2026", rows)))
    assert tables(at)["unggah_ringkasan"]["Status"].tolist() == ["Ditolak"]
    picker = next(s for s in at.selectbox if s.key.startswith("unggah_pilih_"))
    assert "'Anak Putus Sekolah'" in picker.label and "jenis PMKS" in picker.label and len(picker.options) == 27
    picker.set_value("AT").run()
    assert tables(at)["unggah_ringkasan"]["Status"].tolist() == ["Diterima"]
    at.button(key="unggah_simpan").click().run()
    assert not at.exception
    con = open_snapshot(fresh_db)
    assert con.execute("select alias, kode_indikator from alias_indikator").fetchall() == [("anak putus sekolah", "AT")]
    assert con.execute("select sum(jumlah) from pmks_counts where kode_indikator = 'AT'").fetchone() == (6,)
    con.close()
    assert [a for a, _, _ in _audit(fresh_db)] == ["alias"]


def test_the_tally_of_every_number_is_shown_per_sheet(monkeypatch, fresh_db):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("menilo.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": (3, 4), "Pengemis": 2})))
    tally = next(d.value for d in at.dataframe if "Angka dibaca" in d.value.columns)
    assert tally[["Lembar", "Angka dibaca", "Jumlah/total diperiksa", "Tidak terbaca"]].values.tolist() == [["Laporan", "3", "1", "0"]]
    assert tally["Alasan diabaikan"].tolist() == ["nomor urut 2"]


def test_unreadable_file_is_reported_and_the_page_keeps_working(monkeypatch, fresh_db):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("sel_jauh.xlsx", rf.far_cell_xlsx()), ("baik.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 1})))
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Ditolak", "Diterima"]
    assert "di luar batas wajar" in found["unggah_masalah_0"].iloc[0]["Pesan"]


def test_history_page_rolls_back_a_batch(monkeypatch, fresh_db):
    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("a.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 12})))
    at.button(key="unggah_simpan").click().run()
    after_a = _active_state(fresh_db)
    at.checkbox(key="unggah_ganti").check().run()
    upload(at, ("b.xlsx", rf.form_xlsx("Menilo", "Soko", "Oktober 2026", {"Fakir Miskin": 30, "Pengemis": 1})))
    at.checkbox(key="unggah_setuju_ganti").check().run()
    at.button(key="unggah_simpan").click().run()
    assert _active_state(fresh_db) != after_a
    at.switch_page("pages/riwayat.py").run()
    assert not at.exception
    history = tables(at)["riwayat_tabel"]
    assert history["Batch"].tolist()[:2] == ["2", "1"] and history["Pengguna"].iloc[0]  # identifiers, not amounts
    at.selectbox(key="riwayat_batch").set_value(2).run()
    assert at.button(key="riwayat_batal").disabled
    at.text_input(key="riwayat_konfirmasi").input("2").run()
    at.button(key="riwayat_batal").click().run()
    assert not at.exception
    assert _active_state(fresh_db) == after_a
    log = tables(at)["riwayat_audit"]
    assert {"laporan diimpor", "batch dibatalkan"} <= set(log["Aksi"])  # words, not codes (issue 27)
    assert not any(r.startswith("{") for r in log["Rincian"])  # words, not JSON (issue 27)


def test_kecamatan_and_month_picked_for_a_silent_file(monkeypatch, fresh_db, codes):
    """A form naming neither its kecamatan (Pucangan is in Montong and Palang) nor its month: the analyst picks both."""
    from datetime import date

    at = run_app(monkeypatch, fresh_db, "pages/unggah.py")
    upload(at, ("pucangan.xlsx", rf.form_xlsx("Pucangan", None, None, {"Fakir Miskin": 7})))
    assert tables(at)["unggah_ringkasan"]["Status"].tolist() == ["Ditolak"]
    at.selectbox(key="unggah_kecamatan").set_value("35.23.18").run()
    at.selectbox(key="unggah_periode").set_value(date(2026, 10, 1)).run()
    assert not at.exception, at.exception
    found = tables(at)
    assert found["unggah_ringkasan"]["Status"].tolist() == ["Diterima"]
    assert found["unggah_laporan_0"]["Desa"].tolist() == ["Pucangan (Kec. Palang)"]
    notes = " ".join(c.value for c in at.caption)
    assert "Oktober 2026 dari pilihan analis" in notes and "Palang (35.23.18) dari pilihan analis" in notes
    at.button(key="unggah_simpan").click().run()
    assert fm(fresh_db, codes[("Palang", "Pucangan")]) == [(date(2026, 10, 1), 7)]
