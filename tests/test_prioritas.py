"""The Prioritas Intervensi page, its XLSX export, the PDF brief and public release mode on the demo warehouse."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import numpy as np
import openpyxl
import pytest

from dashboard import brief
from dashboard.export import report_xlsx
from tests.conftest import ARTIFACTS, html_tables, open_snapshot
from tests.priority_reference import desa_ranking
from tests.test_pages import run_app
from tests.test_views_prioritas import parse_angka

OCTOBER = "2026-10-01"


def _names(db) -> dict:
    con = open_snapshot(db)
    out = {k: (n, kn) for k, n, kn in con.execute(
        "select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.tingkat = 'desa'").fetchall()}
    con.close()
    return out


def _page_order(at) -> list[tuple[str, str]]:
    df = at.dataframe[0].value
    ranked = df[df["Peringkat"].map(parse_angka).notna()]
    return list(zip(ranked["Desa/Kelurahan"], ranked["Kecamatan"]))


def _groups(at) -> list[str]:
    return [n.key.removeprefix("bobot_") for n in at.number_input if n.key.startswith("bobot_")]


def test_changing_a_weight_reorders_the_list_as_computed_independently(monkeypatch, built_db):
    names = _names(built_db)
    at = run_app(monkeypatch, built_db, "pages/prioritas.py", query={"periode": "2026-10"})
    assert not at.exception
    groups = _groups(at)
    assert len(groups) == 7
    equal = desa_ranking(built_db, OCTOBER, {g: 1.0 for g in groups})
    page = _page_order(at)
    assert page[:25] == [names[k] for k, _ in equal[:25]]
    df = at.dataframe[0].value
    index = [i for i in df["Indeks prioritas"].map(parse_angka) if i is not None]
    assert np.allclose(index[:25], [round(v, 1) for _, v in equal[:25]], atol=0.051)

    # policy staff care about children only: weight 5 on anak, 0 elsewhere except lanjut usia 1
    weights = {g: 0 for g in groups} | {"anak": 5, "lanjut usia": 1}
    for g in groups:
        at.number_input(key=f"bobot_{g}").set_value(weights[g])
    at.run()
    assert not at.exception
    expected = desa_ranking(built_db, OCTOBER, weights)
    reordered = _page_order(at)
    assert reordered[:25] == [names[k] for k, _ in expected[:25]]
    assert reordered[:10] != page[:10]  # the weights really changed the order

    at.toggle(key="prioritas_susut").set_value(False).run()  # raw rates: the independent raw order
    raw = desa_ranking(built_db, OCTOBER, weights, shrinkage=False)
    assert _page_order(at)[:25] == [names[k] for k, _ in raw[:25]]


def test_all_weights_zero_is_a_message_not_an_error(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/prioritas.py")
    for g in _groups(at):
        at.number_input(key=f"bobot_{g}").set_value(0)
    at.run()
    assert not at.exception
    assert any("bobot lebih dari 0" in w.value for w in at.warning)


def test_kecamatan_level_and_method_explained(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/prioritas.py", query={"periode": "2026-10"})
    at.radio(key="prioritas_tingkat").set_value("kecamatan").run()
    assert not at.exception
    df = at.dataframe[0].value
    ranks = df["Peringkat"].map(parse_angka).tolist()
    assert len(df) == 20 and None not in ranks and ranks == sorted(ranks)
    assert set(df["Kuintil"]) == {"K1 (20% teratas)", "K2", "K3", "K4", "K5 (20% terbawah)"}
    text = " ".join(m.value for m in at.markdown)
    assert "Marshall (1991)" in text and "Bobot yang dipakai" in text


def test_priority_xlsx_has_a_cover_sheet_and_prints_on_a4(tmp_path):
    import pandas as pd

    table = pd.DataFrame({"Peringkat": [1, 2], "Desa/Kelurahan": ["=HYPERLINK(\"x\")", "Menilo"], "Indeks prioritas": [71.25, 40.0]})
    data = report_xlsx(table, [("Periode", "Oktober 2026"), ("Bobot kelompok", "Anak 2,0; Lanjut usia 1,0")], "Daftar prioritas — Tuban",
                       number_formats={"Indeks prioritas": "0.0"})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Keterangan", "Daftar prioritas"]
    cover = book["Keterangan"]
    assert cover["A1"].value == "Daftar prioritas — Tuban"
    assert [(cover.cell(r, 1).value, cover.cell(r, 2).value) for r in (3, 4)] == [("Periode", "Oktober 2026"), ("Bobot kelompok", "Anak 2,0; Lanjut usia 1,0")]
    sheet = book["Daftar prioritas"]
    assert [c.value for c in sheet[1]] == ["Peringkat", "Desa/Kelurahan", "Indeks prioritas"]
    assert sheet["B2"].value == "'=HYPERLINK(\"x\")"  # formula injection neutralised
    assert sheet["C2"].value == 71.25 and sheet["C2"].number_format == "0.0"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # fitted to one page wide (1 is the default, which the file leaves out), as many pages tall as needed
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes == "A2"


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.parametrize("kode, title", [("35.23.18", "Kecamatan Palang"), ("35.23", "Kabupaten Tuban")])
def test_pdf_brief_renders_on_one_page_with_the_right_content(built_db, tmp_path, kode, title):
    con = open_snapshot(built_db)
    pdf = brief.build(con, kode, date(2026, 10, 1), None, date(2026, 11, 28))
    total, reported = con.execute("select sum(jumlah), count(distinct kode_desa) from pmks_counts where periode = ? and starts_with(kode_desa, ?)",
                                  [date(2026, 10, 1), kode]).fetchone()
    n_desa = con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kode]).fetchone()[0]
    con.close()
    path = tmp_path / brief.file_name(kode, date(2026, 10, 1))
    path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and _pages(path) == 1
    png = ARTIFACTS / f"brief_{kode.replace('.', '')}"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", str(path), str(png)], check=True)
    text = _pdf_text(path)
    flat = " ".join(text.split())
    assert f"Ringkasan PMKS — {title}" in flat
    assert "Oktober 2026" in flat and "Dibuat 28 November 2026" in flat and "Sumber: laporan PSM" in flat
    assert "DATA DEMO SINTETIS" in flat
    from common import fmt

    assert f"{fmt.angka(total)} jiwa" in flat
    assert f"{reported} dari {n_desa} desa/kelurahan melapor" in flat
    names = _names(built_db)
    groups = ["anak", "disabilitas", "keluarga dan komunitas", "kemiskinan", "korban", "lanjut usia", "tuna sosial"]
    top = [names[k][0] for k, _ in desa_ranking(built_db, OCTOBER, {g: 1.0 for g in groups}) if k.startswith(kode)][:brief.TOP_VILLAGES]
    lines = [line for line in text.splitlines() if line.strip()[:3].strip().isdigit()]
    listed = [line.split()[1] for line in lines if len(line.split()) > 3][: len(top)]
    assert [t.split()[0] for t in top] == listed

    # readable in black and white: nothing on the page depends on colour
    from PIL import Image

    image = np.asarray(Image.open(f"{png}.png").convert("RGB")).astype(int)
    spread = (image.max(axis=2) - image.min(axis=2))
    assert (spread > 12).mean() < 0.001


def test_pdf_brief_in_public_release_mode_hides_small_counts(built_db, tmp_path):
    con = open_snapshot(built_db)
    per_ind = dict(con.execute("""select i.nama, sum(c.jumlah) from pmks_counts c join indikator i on i.kode = c.kode_indikator
                                  where c.periode = '2026-10-01' and c.kode_kecamatan = '35.23.18' group by 1""").fetchall())
    # a kecamatan brief whose indicator table has a small count: find one
    pdf = brief.build(con, "35.23.18", date(2026, 10, 1), 100, date(2026, 11, 28))  # threshold 100 makes several "small"
    con.close()
    path = tmp_path / "publik.pdf"
    path.write_bytes(pdf)
    flat = " ".join(_pdf_text(path).split())
    assert "Mode rilis publik" in flat and "<100" in flat
    small = {n: v for n, v in per_ind.items() if 0 < v < 100}
    assert small
    from common import fmt

    for name, value in small.items():
        assert f"{name} {fmt.angka(value)}" not in flat


def test_public_release_mode_on_jelajah_hides_small_counts_and_their_complements(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/jelajah.py", query={"periode": "2026-10", "rilis": "1"})
    assert not at.exception
    df = at.dataframe[0].value
    assert any("Mode rilis publik" in c.value for c in at.caption)
    body = df[df.iloc[:, 0] != "Total"]
    cells = body.iloc[:, 2:]
    flat = [v for v in cells.to_numpy().ravel()]
    assert "<3" in flat
    assert not any(v in ("1", "2") for v in flat)  # no small count shown as a number
    # every row with a hidden cell has at least two hidden cells (else its total would give it away)
    for row in cells.itertuples(index=False):
        hidden = sum(v in ("<3", "x") for v in row[:-1])
        assert hidden != 1
    assert "Per 1.000 penduduk" not in df.columns
    at.toggle(key="f_rilis").set_value(False).run()
    plain = at.dataframe[0].value
    assert "<3" not in plain.astype(str).to_numpy().ravel().tolist()


def test_public_release_mode_on_ringkasan_and_peta(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, None, query={"periode": "2026-10", "rilis": "1", "kec": "35.23.18"})
    assert not at.exception
    assert at.query_params["rilis"] == "1"
    assert any("Mode rilis publik" in c.value for c in at.caption)
    at.switch_page("pages/peta.py").run()
    at.session_state["peta_tabel"] = True  # open "Tabel di balik peta" (drawn only when opened)
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    values = table[[c for c in table.columns if c.startswith("Nilai")][0]].tolist()
    assert "Penduduk" not in table.columns
    assert not any(v in ("1", "2") for v in values)


def test_release_threshold_is_configuration(monkeypatch, demo_db):
    from tests.conftest import check, run_etl

    out = check(run_etl("settings", "--release-threshold", "5", db=demo_db)).stdout
    assert "di bawah 5" in out
    bad = run_etl("settings", "--release-threshold", "1", db=demo_db)
    assert bad.returncode == 2 and "antara 2 dan 20" in bad.stderr
    at = run_app(monkeypatch, demo_db, "pages/jelajah.py", query={"periode": "2026-10", "rilis": "1"})
    cells = at.dataframe[0].value.iloc[:-1, 2:-1].to_numpy().ravel().tolist()
    assert "<5" in cells and not any(v in ("1", "2", "3", "4") for v in cells)
    # the admin page changes it too (and says so in the audit)
    at.switch_page("pages/pengaturan.py").run()
    at.number_input(key="pengaturan_ambang").set_value(4)
    at.button(key="pengaturan_simpan_ambang").click().run()
    assert not at.exception and any("<4" in s.value for s in at.success)
    at.number_input(key="pengaturan_hari").set_value(12)
    at.button(key="pengaturan_simpan").click().run()
    assert any("tanggal 12 bulan B+1" in s.value for s in at.success)
    con = open_snapshot(demo_db)
    assert con.execute("select nilai from pengaturan where kunci = 'ambang_rilis'").fetchone() == ("4",)
    assert con.execute("select nilai from pengaturan where kunci = 'hari_batas_laporan'").fetchone() == ("12",)
    assert con.execute("select count(*) from audit where objek = 'ambang_rilis=4'").fetchone() == (1,)
    con.close()


def test_public_release_mode_on_profil(monkeypatch, built_db):
    con = open_snapshot(built_db)
    desa, small = con.execute("""select kode_desa, count(*) from pmks_counts where periode = '2026-10-01' and jumlah between 1 and 2
                                 group by 1 order by 2 desc, 1 limit 1""").fetchone()
    con.close()
    at = run_app(monkeypatch, built_db, "pages/profil.py", query={"periode": "2026-10", "kec": desa[:8], "desa": desa, "rilis": "1"})
    assert not at.exception
    html = " ".join(m.value for m in at.markdown if "pmks-tabel" in m.value)
    assert html.count("&lt;3") == small  # every small count of this desa, and only those, written <3
    assert ">1<" not in html and ">2<" not in html


def test_public_release_mode_on_ringkasan_tables_and_charts(monkeypatch, built_db):
    import json

    at = run_app(monkeypatch, built_db, None, query={"periode": "2026-10", "ind": ["ABH", "ODHA"], "rilis": "1"})
    assert not at.exception
    rises = next(t for t in html_tables(at) if "Median sebelumnya" in t.columns)  # the top-5 table comes first
    for col in ("Median sebelumnya", "Sekarang"):
        assert not any(str(v) in ("1", "1.0", "2", "2.0") for v in rises[col])
    hidden = rises["Median sebelumnya"].astype(str).eq("<3") | rises["Sekarang"].astype(str).eq("<3")
    assert hidden.any() and (rises.loc[hidden, "Kenaikan"] == "x").all()
    # the bar charts per indicator and per kecamatan draw no bar for a hidden count
    bars = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "bar_ind"]
    at.session_state["ringkasan_rinci"] = "Per wilayah"
    at.run()
    bars += [json.loads(c.proto.spec) for c in at.get("plotly_chart") if "bar" in json.loads(c.proto.spec)["data"][0].get("type", "")]
    assert len(bars) == 2  # the indicator bars and the kecamatan bars
    for fig in bars:
        texts = fig["data"][0].get("text", [])
        assert "1" not in texts and "2" not in texts


def test_public_release_mode_hides_small_months_of_a_trend(monkeypatch, built_db):
    import json

    con = open_snapshot(built_db)
    desa, code, small, large = con.execute("""
        select kode_desa, kode_indikator, count(*) filter (jumlah between 1 and 2), count(*) filter (jumlah >= 3)
        from pmks_counts where periode between '2025-11-01' and '2026-10-01'
        group by all having count(*) filter (jumlah >= 3) > 0 order by 3 desc, 1, 2 limit 1""").fetchone()
    con.close()
    assert small > 0
    at = run_app(monkeypatch, built_db, "pages/jelajah.py", query={"periode": "2026-10", "kec": desa[:8], "desa": desa, "ind": code, "rilis": "1"})
    assert not at.exception
    at.session_state["jelajah_tampilan"] = "Tren"  # the trend tab is drawn only when opened
    at.run()
    trend = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Tren bulanan" in json.loads(c.proto.spec)["layout"]["title"]["text"])
    texts = trend["data"][0]["text"]
    assert texts.count("–") == small and "1" not in texts and "2" not in texts
    assert sum(t not in ("–", "0") for t in texts) == large  # the months of 3 and more are drawn


def test_priorities_and_brief_without_population_or_boundaries(monkeypatch, empty_db, tmp_path):
    import shutil

    from tests.conftest import check, run_etl
    from tests.reportfiles import long_csv

    db = tmp_path / "bare.duckdb"
    shutil.copy(empty_db, db)
    rows = [dict(kecamatan="Soko", desa=d, indikator=i, periode="2026-09", jumlah=n)
            for d in ("Menilo", "Kenongosari") for i, n in (("Fakir Miskin", 12), ("Anak Jalanan", 1))]
    (tmp_path / "laporan.csv").write_bytes(long_csv(rows))
    check(run_etl("import", str(tmp_path / "laporan.csv"), db=db))
    at = run_app(monkeypatch, db, "pages/prioritas.py")
    assert not at.exception
    assert any("jumlah penduduk tiap wilayah" in i.value for i in at.info)  # desa population is not in the census file
    at.switch_page("pages/profil.py").run()
    assert not at.exception
    con = open_snapshot(db)
    pdf = brief.build(con, "35.23.11", date(2026, 9, 1), 3, date(2026, 11, 28))
    con.close()
    (tmp_path / "b.pdf").write_bytes(pdf)
    text = " ".join(_pdf_text(tmp_path / "b.pdf").split())
    assert "Peta belum tersedia" in text and "2 dari" in text and "Kecamatan Soko" in text
    assert "Belum ada desa berperingkat" in text
