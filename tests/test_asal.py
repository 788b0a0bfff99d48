"""Issue 26, "Dari mana angka ini?": kept original files, the provenance model, history after replace and rollback,
retention, scope and the `etl asal` command, on real files imported through the CLI (both stores for the kept files)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from common.errors import PMKSError
from dashboard.views import Settings
from dashboard.views.asal import Question, build, cell_address
from etl.cli.main import main
from etl.write import kept
from store import open_store
from tests import popfiles as pf
from tests import reportfiles as rf
from tests.conftest import check, reading, run_etl

NOV = date(2026, 11, 1)
MONTONG = "35.23.10"
PAKEL, SUMURGUNG, GUWOTERUS = "35.23.10.2007", "35.23.10.2008", "35.23.10.2001"
ROWS = {"Sumurgung": {"Fakir Miskin": 12, "Lansia Terlantar": 3, "Anak Jalanan": 0},
        "Pakel": {"Fakir Miskin": 7, "Lansia Terlantar": 5, "Anak Jalanan": 2},
        "Guwoterus": {"Fakir Miskin": 9, "Lansia Terlantar": 0, "Anak Jalanan": 4}}


@pytest.fixture()
def fresh_db(empty_db, tmp_path):
    target = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, target)
    return target


def etl(db, *args: str) -> int:
    return main([*args, "--db", str(db)])


def import_file(db, tmp_path, name: str, data: bytes, *args: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert etl(db, "import", str(path), *args) == 0


def panel(db, area: str, indikator: tuple[str, ...] = (), **kw):
    with reading(db) as con:
        return build(con, Question(area, NOV, indikator, **kw), Settings())


def kept_bytes(db, digest: str) -> bytes | None:
    with reading(db) as con:
        return kept.read(con, digest)


def read_cell(data: bytes, address: str):
    """The value at an address the panel shows ('Rekap!C6', "'My sheet'!C6", 'E2' of a CSV, 'A + B' added up)."""
    total = 0
    for part in address.split(" + "):
        sheet, _, cell = part.rpartition("!")
        if not sheet:  # a CSV file: no sheet
            column, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
            value = rows[int(row) - 1][openpyxl.utils.column_index_from_string(column) - 1]
        else:
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            value = book[sheet.strip("'").replace("''", "'")][cell].value
        total += int(value or 0)
    return total


def test_kept_file_is_the_received_bytes_and_each_cell_address_reads_the_value(fresh_db, tmp_path):
    data = rf.recap_xlsx("Montong", "November 2026", ROWS, sheet="Rekap Desa")
    import_file(fresh_db, tmp_path, "rekap_montong_nov.xlsx", data)
    with reading(fresh_db) as con:
        digest, name, area, who = con.execute("select sha256, nama_berkas, wilayah, pengguna from berkas_asli").fetchone()
        marts = con.execute("""select sum(jumlah) from agregat_bulanan where tingkat = 'kecamatan' and kode_wilayah = ? and periode = ?
                               and kode_indikator in (select kode from indikator where aktif)""", [MONTONG, NOV]).fetchone()[0]
    assert kept_bytes(fresh_db, digest) == data and name == "rekap_montong_nov.xlsx" and area == MONTONG and who
    v = panel(fresh_db, MONTONG)
    assert v.stop is None and v.level == "desa"
    reported = v.parts[v.parts["laporan"] == 1]
    assert set(reported["kode"]) == {PAKEL, SUMURGUNG, GUWOTERUS}
    assert int(reported["jumlah"].sum()) == v.total == marts == 42
    assert "Belum melapor" in v.missing and "Pucangan" in v.missing  # the desa that did not report are named
    assert len(v.cells) == 9 and set(v.cells["sha256"]) == {digest}
    for row in v.cells.itertuples():
        assert row.alamat.startswith("'Rekap Desa'!")
        assert read_cell(kept_bytes(fresh_db, digest), row.alamat) == row.jumlah
    assert list(v.files["sha256"]) == [digest]
    assert set(v.cells_table.columns) >= {"Desa", "Indikator", "Nilai", "Sel", "Berkas", "Batch", "Diimpor oleh", "Waktu impor"}


def test_a_value_written_as_l_and_p_points_at_both_cells(fresh_db, tmp_path):
    data = ("Kecamatan,Desa,Indikator,Periode,Laki-laki,Perempuan\n"
            "Montong,Pakel,Fakir Miskin,2026-11,3,4\n"
            "Montong,Pakel,Lansia Terlantar,2026-11,1,0\n").encode()
    import_file(fresh_db, tmp_path, "pakel_lp.csv", data)
    v = panel(fresh_db, PAKEL)
    cells = dict(zip(v.cells["kode_indikator"], v.cells["alamat"]))
    assert cells["FM"] == "E2 + F2" and cells["LUT"] == "E3 + F3"
    for row in v.cells.itertuples():
        assert read_cell(data, row.alamat) == row.jumlah
    assert v.total == 8


def test_replace_shows_old_to_new_and_rollback_makes_the_earlier_value_current_again(fresh_db, tmp_path):
    first = rf.recap_xlsx("Montong", "November 2026", ROWS)
    import_file(fresh_db, tmp_path, "rekap_1.xlsx", first)
    changed = {**ROWS, "Pakel": {**ROWS["Pakel"], "Fakir Miskin": 19}}
    import_file(fresh_db, tmp_path, "rekap_2.xlsx", rf.recap_xlsx("Montong", "November 2026", changed), "--replace")
    v = panel(fresh_db, PAKEL, ("FM",))
    assert v.total == 19
    events = v.history
    assert list(events["peristiwa"]) == ["masuk", "ganti"]
    replaced = events.iloc[1]
    assert (replaced["lama"], replaced["baru"]) == (7, 19) and "Fakir Miskin: 7 → 19" in replaced["rincian"]
    assert "rekap_2.xlsx" in replaced["rincian"]
    with reading(fresh_db) as con:
        batch = con.execute("select max(id) from impor_batch where jenis = 'impor'").fetchone()[0]
    assert etl(fresh_db, "rollback", str(batch)) == 0
    v = panel(fresh_db, PAKEL, ("FM",))
    assert v.total == 7  # the earlier value is current again
    assert list(v.history["peristiwa"]) == ["masuk", "ganti", "batal"]
    undone = v.history.iloc[2]
    assert (undone["lama"], undone["baru"]) == (19, 7)
    assert f"batch {batch} dibatalkan" in undone["rincian"] and "berlaku lagi" in undone["rincian"]
    assert v.cells.iloc[0]["nama_berkas"] == "rekap_1.xlsx"
    assert read_cell(kept_bytes(fresh_db, v.cells.iloc[0]["sha256"]), v.cells.iloc[0]["alamat"]) == 7
    # both files stay kept: the rolled-back one is still evidence
    with reading(fresh_db) as con:
        assert con.execute("select count(*) from berkas_asli").fetchone()[0] == 2


def test_retention_removes_old_bytes_with_an_audit_row_and_keeps_the_provenance_text(fresh_db, tmp_path):
    import_file(fresh_db, tmp_path, "rekap.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    with open_store(fresh_db).transaction() as con:
        assert kept.set_retention(con, 12, "adm", now=datetime(2027, 6, 1)) == 0  # younger than a year: kept
    with open_store(fresh_db).transaction() as con:
        assert kept.set_retention(con, 1, "adm", now=datetime(2027, 6, 1)) == 1
    with reading(fresh_db) as con:
        assert con.execute("select count(*) from berkas_asli").fetchone()[0] == 0
        gone = con.execute("select objek, rincian from audit where aksi = 'hapus_berkas_asli'").fetchall()
        assert len(gone) == 1 and gone[0][0] == "rekap.xlsx"
    v = panel(fresh_db, MONTONG)
    assert v.files.empty and set(v.cells["nama_berkas"]) == {"rekap.xlsx"} and all(v.cells["alamat"])
    with open_store(fresh_db).transaction() as con:
        with pytest.raises(PMKSError, match="selamanya"):
            kept.set_retention(con, -1, "adm")


def test_forever_is_the_default_and_a_new_import_prunes_by_the_setting(fresh_db, tmp_path, capsys):
    with reading(fresh_db) as con:
        assert kept.retention(con) == 0
    assert etl(fresh_db, "settings") == 0 and "Berkas asli yang diimpor disimpan selamanya." in capsys.readouterr().out
    assert etl(fresh_db, "settings", "--keep-files", "-3") == 2 and "selamanya" in capsys.readouterr().err
    assert etl(fresh_db, "settings", "--keep-files", "24") == 0 and "disimpan 24 bulan." in capsys.readouterr().out
    import_file(fresh_db, tmp_path, "rekap.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    with open_store(fresh_db).transaction() as con:
        con.execute("update berkas_asli set diterima = ?", [datetime(2020, 1, 1)])
        kept.set_setting(con, kept.RETENTION_KEY, "6")
    data = ("Kecamatan,Desa,Indikator,Periode,Jumlah\nMontong,Pucangan,Fakir Miskin,2026-11,3\n").encode()
    import_file(fresh_db, tmp_path, "pucangan.csv", data)
    with reading(fresh_db) as con:
        assert [r[0] for r in con.execute("select nama_berkas from berkas_asli").fetchall()] == ["pucangan.csv"]


def test_scope_refuses_another_kecamatan_and_release_mode_masks(fresh_db, tmp_path):
    import_file(fresh_db, tmp_path, "rekap.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    with reading(fresh_db) as con:
        refused = build(con, Question(MONTONG, NOV), Settings(area="35.23.18"))
        mine = build(con, Question(MONTONG, NOV), Settings(area=MONTONG))
        masked = build(con, Question(MONTONG, NOV, ("LUT",), rilis=4), Settings())
    assert refused.stop and "di luar wilayah" in refused.stop and refused.cells.empty
    assert mine.total == 42
    shown = dict(zip(masked.parts_table["Kode"], masked.parts_table["Jumlah"]))
    # LUT: Sumurgung 3 is small under 4; with the total 8 shown one more desa is hidden ('x'), or the 3 comes back
    assert shown[SUMURGUNG] == "<4" and sorted([shown[PAKEL], shown[GUWOTERUS]])[1] == "x"
    assert masked.parts[masked.parts["laporan"] == 1]["jumlah"].isna().sum() == 2
    assert "<4" in list(masked.cells_table["Nilai"]) and "3" not in list(masked.cells_table["Nilai"])


def test_population_source_points_at_the_kept_population_file(fresh_db, tmp_path):
    desa = [d for d in pf.gazetteer(fresh_db) if d[0].startswith(MONTONG)]
    import_file(fresh_db, tmp_path, "rekap.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    figures = pf.figures(desa)
    data = pf.dukcapil_xlsx(desa, figures)
    path = tmp_path / "penduduk_montong.xlsx"
    path.write_bytes(data)
    assert etl(fresh_db, "penduduk", "import", str(path), "--sumber", "dukcapil", "--tanggal", "2025-S2") == 0
    v = panel(fresh_db, PAKEL, ukuran="per1000")
    text = " ".join(v.population)
    assert "penduduk_montong.xlsx" in text and "Laju per 1.000" in text
    address = re.search(r"sel (\S+!\S+?),", text).group(1)
    with reading(fresh_db) as con:
        digest, figure = con.execute("select sha256, jumlah from penduduk_desa where kode_wilayah = ? and aktif", [PAKEL]).fetchone()
    assert read_cell(kept_bytes(fresh_db, digest), address) == figure == sum(figures[PAKEL])


def test_cli_prints_the_same_answer_in_indonesian(fresh_db, tmp_path, capsys):
    import_file(fresh_db, tmp_path, "rekap.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    capsys.readouterr()
    assert etl(fresh_db, "asal", "--desa", PAKEL, "--periode", "2026-11", "--indikator", "FM") == 0
    out = capsys.readouterr().out
    assert "Dari mana angka ini? Pakel, November 2026, Fakir Miskin" in out
    assert "7 jiwa PMKS" in out and "Rekap!" in out and "rekap.xlsx" in out and "Riwayat laporan" in out
    assert etl(fresh_db, "asal", "--kecamatan", MONTONG, "--periode", "2026-11") == 0
    assert "42 jiwa PMKS" in capsys.readouterr().out
    assert etl(fresh_db, "asal", "--desa", "35.23", "--periode", "2026-11") == 2
    assert "bukan kode desa" in capsys.readouterr().err
    assert etl(fresh_db, "asal", "--desa", PAKEL, "--periode", "2026-11", "--indikator", "XX") == 2
    assert "tidak dikenal" in capsys.readouterr().err


def test_a_report_entered_in_the_app_is_shown_as_an_app_entry(fresh_db, tmp_path):
    """Issue 25's web reports are `laporan` rows with a batch of their own kind and no file: the panel names the entry
    (batch kind, who, when), no cell and no file."""
    from etl.write.load import new_batch, write_reports

    with open_store(fresh_db).transaction() as con:
        batch = new_batch(con, "psm_pakel", "laporan_web", "laporan dari aplikasi")
        reports = pd.DataFrame({"kode_desa": [PAKEL], "periode": [NOV], "nama_berkas": [None], "sheet": [None], "sha256": [None],
                                "nama_psm": ["PSM Pakel"], "diterima": [datetime(2026, 12, 2, 9, 0)], "sintetis": [False]})
        values = pd.DataFrame({"kode_desa": [PAKEL], "periode": [NOV], "kode_indikator": ["FM"], "laki_laki": [None],
                               "perempuan": [None], "jumlah": [6], "baris": [None], "kolom": [None]})
        write_reports(con, reports, values, batch)
    v = panel(fresh_db, PAKEL, ("FM",))
    assert v.total == 6 and list(v.cells["sumber"]) == ["aplikasi"] and list(v.cells_table["Sel"]) == ["—"]
    assert "dimasukkan di aplikasi" in v.parts_table["Sumber"].iloc[0] and "laporan_web" in v.parts_table["Sumber"].iloc[0]
    assert "psm_pakel" in v.parts_table["Sumber"].iloc[0] and v.files.empty


def test_address_forms():
    assert cell_address("Rekap", 12, "E") == "Rekap!E12"
    assert cell_address("Form Desa", 12, "E") == "'Form Desa'!E12"
    assert cell_address("Rekap", 12, "C12+D12") == "Rekap!C12 + Rekap!D12"
    assert cell_address(None, 2, "E") == "E2"
    assert cell_address("Rekap", None, None) == ""


def test_kept_files_on_postgresql(pg_empty, tmp_path):
    data = rf.recap_xlsx("Montong", "November 2026", ROWS)
    path = tmp_path / "rekap_pg.xlsx"
    path.write_bytes(data)
    check(run_etl("import", str(path), db=pg_empty))  # another process: the bytes live in PostgreSQL, for every server
    store = open_store(pg_empty)
    with store.read() as con:
        digest = con.execute("select sha256 from berkas_asli").fetchone()[0]
        assert kept.read(con, digest) == data
        v = build(con, Question(MONTONG, NOV), Settings())
    assert v.total == 42 and list(v.files["sha256"]) == [digest]
    for row in v.cells.itertuples():
        assert read_cell(data, row.alamat) == row.jumlah
    with store.transaction() as con:
        assert kept.set_retention(con, 1, "adm", now=datetime(2030, 1, 1)) == 1
    with store.read() as con:
        assert kept.read(con, digest) is None
        assert con.execute("select count(*) from audit where aksi = 'hapus_berkas_asli'").fetchone()[0] == 1


MONTH = date(2026, 10, 1)


def test_the_panel_adds_up_to_each_pages_figure_for_a_kecamatan(built_db):
    """Jelajah (table row), Peta (a kecamatan of the map), Profil, Ringkasan (headline), Prioritas (a ranked desa's
    rate) and Kelengkapan (the kecamatan's desa and a desa x month cell) against the panel of the same number."""
    from dashboard.views import Filters, jelajah, kelengkapan, peta, prioritas, profil, ringkasan
    from tests.conftest import num

    chosen = ("FM", "LUT", "PD")
    with reading(built_db) as con:
        def asal(area, indikator=(), **kw):
            return build(con, Question(area, MONTH, indikator, **kw), Settings())

        whole = Filters(periode=MONTH)
        kec = Filters(periode=MONTH, kecamatan=MONTONG, area_nama="Kec. Montong")
        rows = jelajah.build(con, Filters(periode=MONTH, indikator=chosen), Settings(), tingkat="kecamatan").export.set_index("Kode")
        parts = asal(MONTONG, chosen)
        assert parts.level == "desa" and int(parts.parts["jumlah"].sum()) == parts.total == rows.loc[MONTONG, "Total"]
        desa_rows = jelajah.build(con, kec, Settings(), tingkat="desa").export.set_index("Kode")
        for kode, value in zip(parts.parts["kode"], asal(MONTONG).parts["jumlah"]):  # Jelajah lists the desa that reported
            assert value == desa_rows.loc[kode, "Total"] if pd.notna(value) else kode not in desa_rows.index
        on_map = peta.build(con, whole, Settings(), choice=peta.MapChoice()).export.set_index("Kode")
        assert asal(MONTONG).total == on_map.loc[MONTONG, "Nilai (jiwa)"]
        shown = profil.build(con, kec, Settings()).table
        assert sum(num(x) for x in shown["Jumlah"]) == asal(MONTONG).total
        head = ringkasan.build(con, kec, Settings(), today=date(2026, 12, 1)).metrics[0]
        assert num(head.value) == asal(MONTONG).total
        ranked = prioritas.build(con, kec, Settings(), tingkat="desa", weights=(), shrinkage=False, author="uji",
                                 today=date(2026, 12, 1)).export
        top = ranked.iloc[0]
        one = asal(top["Kode"], ukuran="per1000")
        rates = sum(top[c] for c in ranked.columns if c.endswith(" per 1.000") and c != "Perubahan 12 bln (per 1.000)")
        assert one.penduduk == top["Penduduk"] and abs(rates - one.total / one.penduduk * 1000) < 0.05 * 7  # seven rates of one decimal
        complete = kelengkapan.build(con, kec, Settings())
        roll = complete.rollup.set_index("Kode").loc[MONTONG]
        whole_kec = asal(MONTONG)
        assert len(whole_kec.parts) == num(roll["Jumlah desa"])
        assert int((whole_kec.parts["laporan"] == 0).sum()) == num(roll["Belum lapor"])
        cells = complete.status_download.frame.set_index("Kode")
        column = next(c for c in cells.columns if c.endswith("Okt 2026"))
        for kode, reported in zip(whole_kec.parts["kode"], whole_kec.parts["laporan"]):
            assert (cells.loc[kode, column] != "Belum lapor") == bool(reported), (kode, cells.loc[kode, column])


def test_the_original_file_downloads_for_analysts_of_its_area_only_and_is_audited(monkeypatch, demo_db, tmp_path):
    """The panel page: an analyst gets the original file through `/unduh/<id>`, byte for byte, audited; staff see the
    provenance without it; an analyst of another kecamatan neither opens the panel nor fetches the file by its link."""
    from tests.conftest import add_users, fetch, offered
    from tests.test_access import login

    data = rf.recap_xlsx("Montong", "November 2026", ROWS)
    import_file(demo_db, tmp_path, "rekap_montong.xlsx", data)
    add_users(demo_db, ("adm", "admin", ""), ("ana", "analis", ""), ("staf", "staf", ""), ("tksk", "analis", "35.23.18"))

    def panel_page(user: str, area: str = MONTONG):
        at = login(monkeypatch, demo_db, user)
        at.query_params["wilayah"], at.query_params["bulan"] = area, "2026-11"
        at.switch_page("pages/asal.py").run()
        assert not at.exception
        return at

    ana = panel_page("ana")
    original = [o for o in offered(ana) if o.label == "Unduh berkas asli: rekap_montong.xlsx"]
    assert len(original) == 1
    assert fetch(original[0].file_id, ana.session_state["_sesi_token"]) == (200, data)
    staf = panel_page("staf")
    assert not [o for o in offered(staf) if "berkas asli" in o.label]
    assert any("dapat diunduh oleh analis dan admin" in c.value for c in staf.caption)
    tksk = panel_page("tksk")
    assert any("di luar wilayah akun Anda" in e.value for e in tksk.error) and not tksk.dataframe
    assert fetch(original[0].file_id, tksk.session_state["_sesi_token"])[0] == 403
    with reading(demo_db) as con:
        served = con.execute("select pengguna, aksi from audit where objek = 'rekap_montong.xlsx' and aksi like 'unduh%' order by id").fetchall()
    assert served == [("ana", "unduh"), ("tksk", "unduh_ditolak")]


def test_release_mode_hides_every_value_of_a_hidden_desa_in_cells_and_history(fresh_db, tmp_path):
    import_file(fresh_db, tmp_path, "rekap_1.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS))
    changed = {**ROWS, "Sumurgung": {**ROWS["Sumurgung"], "Lansia Terlantar": 2}}
    import_file(fresh_db, tmp_path, "rekap_2.xlsx", rf.recap_xlsx("Montong", "November 2026", changed), "--replace")
    with reading(fresh_db) as con:
        v = build(con, Question(MONTONG, NOV, ("LUT", "AJ"), rilis=4), Settings())
    parts = v.parts[v.parts["laporan"] == 1].set_index("kode")["jumlah"]
    hidden = set(parts[parts.isna()].index)
    assert SUMURGUNG in hidden and len(hidden) >= 2  # Sumurgung's 2 is small; another desa hides it from the total
    names = dict(zip(v.parts["kode"], v.parts["nama"]))
    for kode in hidden:
        shown = v.cells_table[v.cells_table["Desa"] == names[kode]]["Nilai"]
        assert set(shown) <= {"x", "<4"}, (kode, list(shown))  # not even a 0
        past = v.history_table[v.history_table["Desa"] == names[kode]]
        assert set(past["Sesudahnya"]) <= {"x", "<4", "—"} and not re.search(r"[:→] [1-9]", " ".join(past["Rincian"]))
    assert "Lanjut Usia Terlantar: berubah" in " ".join(v.history_table["Rincian"])  # 3 → 2: changed, values not shown


def published(v):
    """What the panel shows in release mode as a two-way table (desa x indicator, the parts as row totals, the number
    as the grand total, the per-indicator totals a page shows for the area as column totals), for the audit."""
    from dashboard import suppress as sdc

    names = dict(zip(v.parts["kode"], v.parts["nama"]))
    cells = v.cells_table.assign(kode=[next(k for k, n in names.items() if n == d) for d in v.cells_table["Desa"]])
    raw = v.cells.pivot_table(index="kode_desa", columns="kode_indikator", values="jumlah", aggfunc="sum", fill_value=0)
    label = {k: i for k, i in zip(v.cells["kode_indikator"], v.cells_table["Indikator"])}
    status = pd.DataFrame("", index=raw.index, columns=raw.columns)
    kind = lambda shown: {"x": sdc.SECONDARY}.get(shown, sdc.PRIMARY if str(shown).startswith("<") else "")  # noqa: E731
    for kode, ind, shown in zip(cells["kode"], cells["Indikator"], cells["Nilai"]):
        status.at[kode, next(c for c, n in label.items() if n == ind)] = kind(shown)
    parts = dict(zip(v.parts_table["Kode"], v.parts_table["Jumlah"]))
    rows = pd.Series([kind(parts[k]) for k in raw.index], index=raw.index)
    return sdc.Suppression(raw, 4, status, rows, pd.Series("", index=raw.columns), "" if v.total is not None else sdc.SECONDARY)


def test_release_mode_leaves_nothing_derivable_from_the_panel_and_the_pages_totals(fresh_db, tmp_path):
    """The values behind a kecamatan number are one two-way table: with the parts, the number and the per-indicator
    totals a page shows, no hidden value can be worked out (the audit of dashboard.suppress), a hidden desa shows no
    value at all, not even a 0, and the history names a changed indicator without its values."""
    from dashboard import suppress as sdc

    first = {**ROWS, "Pakel": {**ROWS["Pakel"], "Lansia Terlantar": 4}}
    import_file(fresh_db, tmp_path, "rekap_1.xlsx", rf.recap_xlsx("Montong", "November 2026", first))
    import_file(fresh_db, tmp_path, "rekap_2.xlsx", rf.recap_xlsx("Montong", "November 2026", ROWS), "--replace")
    for indikator in ((), ("LUT",), ("LUT", "AJ")):
        v = panel(fresh_db, MONTONG, indikator, rilis=4)
        assert sdc.exposed(published(v)) == [], indikator
        parts = v.parts[v.parts["laporan"] == 1].set_index("kode")["jumlah"]
        names = dict(zip(v.parts["kode"], v.parts["nama"]))
        for kode in parts[parts.isna()].index:
            assert set(v.cells_table[v.cells_table["Desa"] == names[kode]]["Nilai"]) <= {"x", "<4"}, (indikator, kode)
        history = " ".join(v.history_table["Rincian"])
        assert "→" not in history and "Lanjut Usia Terlantar: berubah" in history  # Pakel's 4 → 5
    unmasked = panel(fresh_db, MONTONG)
    assert "Lanjut Usia Terlantar: 4 → 5" in " ".join(unmasked.history_table["Rincian"])  # outside release mode


def test_ringkasan_offers_its_top_priority_desa_to_the_panel(monkeypatch, demo_db):
    """Ringkasan's "Dari mana angka ini?" offers, after the whole area, the desa of its top-priority list in rank
    order (then the rises and the desa yet to report), and its link opens the panel of the one chosen."""
    import html as html_lib
    import re

    from tests.conftest import add_users
    from tests.test_access import login

    add_users(demo_db, ("adm", "admin", ""), ("ana", "analis", ""))
    at = login(monkeypatch, demo_db, "ana", page="pages/ringkasan.py")
    assert not at.exception
    listed = next(e.value for e in at.get("html") if "Peringkat" in e.value)
    rows = re.findall(r"<tr>(.*?)</tr>", listed, flags=re.S)[1:]
    names = [html_lib.unescape(re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)[1]).removesuffix(" *") for r in rows]
    assert len(names) == 5
    picker = at.selectbox(key="ringkasan_asal_wilayah")
    assert picker.options[1:6] == names
    with reading(demo_db) as con:
        [(kode,)] = con.execute("select kode from wilayah where tingkat = 'desa' and nama = ?", [names[0]]).fetchall()
    at.session_state["ringkasan_asal_wilayah"] = kode  # AppTest cannot choose through the page's format_func
    at.run()
    link = next(e for e in at.get("page_link") if e.proto.label == f"Buka asal angka {names[0]}")
    assert link.proto.page == "asal" and link.proto.query_string.startswith(f"wilayah={kode}&bulan=")


HEADER = "Kecamatan,Desa,Indikator,Periode,Jumlah\n"


def test_a_kept_file_belongs_to_every_kecamatan_it_holds_even_rows_skipped_as_unchanged(fresh_db, tmp_path):
    """A file with a Montong desa and a desa of another kecamatan whose row is already stored (skipped as unchanged)
    is kept for the kabupaten, so a Montong analyst is not offered the other kecamatan's figures."""
    with reading(fresh_db) as con:
        nama, kec, kode = con.execute("""select d.nama, k.nama, d.kode from wilayah d join wilayah k on k.kode = d.kode_induk
                                         where d.tingkat = 'desa' and d.kode_induk <> ? order by d.kode limit 1""", [MONTONG]).fetchone()
    import_file(fresh_db, tmp_path, "lain.csv", f"{HEADER}{kec},{nama},Fakir Miskin,2026-11,2\n".encode())
    import_file(fresh_db, tmp_path, "gabungan.csv", f"{HEADER}Montong,Pakel,Fakir Miskin,2026-11,7\n{kec},{nama},Fakir Miskin,2026-11,2\n".encode())
    with reading(fresh_db) as con:
        areas = dict(con.execute("select nama_berkas, wilayah from berkas_asli").fetchall())
        scoped = build(con, Question(MONTONG, NOV), Settings(area=MONTONG))
    assert areas == {"lain.csv": kode[:8], "gabungan.csv": "35.23"}
    # the page offers a file only to a user whose area covers the file's (rulebook.covers): not to Montong's analyst
    assert list(scoped.files["nama_berkas"]) == ["gabungan.csv"] and not scoped.files["wilayah"].iloc[0].startswith(MONTONG)


def test_the_same_bytes_received_again_count_from_the_newest_receipt(fresh_db, tmp_path):
    """Imported long ago, rolled back, the same bytes imported today under a new name: retention keeps them (the
    current report rests on them) and the panel offers them under today's name."""
    data = f"{HEADER}Montong,Pakel,Fakir Miskin,2026-11,7\n".encode()
    import_file(fresh_db, tmp_path, "pakel.csv", data)
    with open_store(fresh_db).transaction() as con:
        con.execute("update berkas_asli set diterima = ?", [datetime(2020, 1, 1)])
        batch = con.execute("select max(id) from impor_batch").fetchone()[0]
    assert etl(fresh_db, "rollback", str(batch)) == 0
    import_file(fresh_db, tmp_path, "pakel_lagi.csv", data)
    with open_store(fresh_db).transaction() as con:
        assert kept.set_retention(con, 12, "adm") == 0
    v = panel(fresh_db, PAKEL)
    assert v.total == 7 and list(v.files["nama_berkas"]) == ["pakel_lagi.csv"]
    assert kept_bytes(fresh_db, v.files["sha256"].iloc[0]) == data
