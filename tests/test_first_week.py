"""Issue 27: what a new office meets in its first week. Honest small months (point 2), mixed population flagged on
the first screen (3), sources that read as sources (4), a scoped analyst's import history (5), the population upload
(6), English and cut text (7), no dead Streamlit API (8) and downloads for leadership (10). Maps on a fresh machine
(1) are tests/test_offline_start.py; the phone and every role in a real browser (9 and the last bullet) are
tests/test_browser_roles.py."""

from __future__ import annotations

import csv
import re

from dashboard.views import Settings
from tests.conftest import REPO


def test_population_sources_read_as_sources_in_indonesian(mem_con):
    from dashboard.views import tentang

    for row in csv.DictReader((REPO / "data" / "penduduk.csv").open(encoding="utf-8")):
        assert not re.search(r"https?://|\bvia\b|mirror|cut off|excerpt|Wikipedia|retrieved", row["sumber"]), row
    shown = tentang.build(mem_con, None, Settings()).population
    text = " ".join(shown.astype(str).to_numpy().ravel())
    assert "Sensus Penduduk 2020 (BPS)" in set(shown["Sumber dan keadaan"])
    assert "http" not in text and not re.search(r"\b(via|mirror)\b", text)


def test_a_scoped_analysts_history_counts_only_the_reports_in_their_kecamatan(mem_con):
    from dashboard.views import riwayat

    demo = mem_con.execute("select id from impor_batch where jenis = 'demo'").fetchone()[0]
    total, palang = mem_con.execute("select count(*), count(*) filter (starts_with(kode_desa, '35.23.18')) from laporan where batch_id = ?",
                                    [demo]).fetchone()
    assert 0 < palang < total
    scoped = riwayat.build(mem_con, "35.23.18", audit=False).batches.set_index("Batch")
    assert scoped.at[str(demo), "Laporan"] == f"{palang:,}".replace(",", ".")
    everyone = riwayat.build(mem_con, "", audit=False).batches.set_index("Batch")
    assert everyone.at[str(demo), "Laporan"] == f"{total:,}".replace(",", ".")


def test_audit_details_read_as_words_not_json(mem_con):
    from dashboard.views import riwayat

    assert riwayat.details('{"desa": 328, "kecamatan": 20}') == "desa 328; kecamatan 20"
    assert riwayat.details('{"batch": 5, "dihapus": 1234, "dipulihkan": 0}') == "batch 5; dicabut 1.234; dipulihkan 0"
    assert riwayat.details('{"rilis_publik": true}') == "mode rilis publik ya"
    assert riwayat.details(None) == "" and riwayat.details("kata biasa") == "kata biasa"
    log = riwayat.build(mem_con, "", audit=True).audit
    assert not any(str(r).lstrip().startswith(("{", "[")) for r in log["Rincian"])
    assert "_" not in " ".join(log["Aksi"])  # 'impor_penduduk' reads 'penduduk desa diimpor'


def _fresh():
    from tests.conftest import memory_warehouse

    return memory_warehouse(months=3)


def _report(con, periode: str, counts: dict[str, dict[str, int]]) -> None:
    """Store one report per desa for `periode` ('2026-11-01'): {kode_desa: {indicator: count}}; zero elsewhere."""
    from datetime import datetime

    import pandas as pd

    from etl.write.load import new_batch, write_reports

    indicators = [r[0] for r in con.execute("select kode from indikator where aktif order by nomor").fetchall()]
    reports = pd.DataFrame({"kode_desa": list(counts), "periode": pd.Timestamp(periode).date(), "diterima": datetime(2026, 12, 3, 9),
                            "nama_berkas": "uji.xlsx", "sheet": None, "sha256": None, "nama_psm": None, "sintetis": True})
    values = pd.DataFrame([{"kode_desa": k, "periode": pd.Timestamp(periode).date(), "kode_indikator": i, "laki_laki": None,
                            "perempuan": None, "jumlah": per.get(i, 0), "baris": None, "kolom": None}
                           for k, per in counts.items() for i in indicators])
    con.execute("begin transaction")
    write_reports(con, reports, values, new_batch(con, "uji", "impor", "uji"))
    con.execute("commit")


def _filters(con, periode: str, kecamatan: str = ""):
    from datetime import date

    from dashboard.views import Filters

    return Filters(periode=date.fromisoformat(periode), kecamatan=kecamatan, area_nama=None)


def test_one_desa_reporting_is_not_ranked_and_says_why():
    """Issue 27 point 2: November with one desa reported gave 'Cendoro 0,0, paling menonjol: Anak' (its largest group
    is Fakir Miskin): one area's index is 0 whatever its counts."""
    from datetime import date

    from dashboard.views import prioritas, ringkasan

    con = _fresh()
    cendoro = con.execute("select kode from wilayah where tingkat = 'desa' and nama = 'Cendoro'").fetchone()[0]
    _report(con, "2026-11-01", {cendoro: {"FM": 45, "LUT": 9, "AT": 1}})
    f = _filters(con, "2026-11-01")
    v = ringkasan.build(con, f, Settings(), today=date(2026, 12, 6))
    assert v.priority.empty and "Baru 1 desa/kelurahan yang dapat dibandingkan untuk November 2026" in v.priority_note
    assert "0,0" not in v.priority.to_string()
    p = prioritas.build(con, f, Settings())
    assert p.none_ranked.startswith("Baru 1 desa/kelurahan") and "setidaknya 5 wilayah" in p.none_ranked
    assert set(p.table["Indeks prioritas"]) == {"—"} and set(p.table["Kelompok paling menonjol"]) == {"—"}
    assert set(p.table["Kuintil"]) == {"—"}
    kec = prioritas.build(con, f, Settings(), tingkat="kecamatan")
    assert kec.none_ranked.startswith("Baru 1 kecamatan")
    from dashboard import brief

    pdf = brief.collect(con, "35.23", date(2026, 11, 1))
    assert pdf.villages.empty and pdf.villages_note.startswith("Baru 1 desa/kelurahan")
    others = [r[0] for r in con.execute("select kode from wilayah where tingkat = 'desa' and kode <> ? order by kode limit 5", [cendoro]).fetchall()]
    _report(con, "2026-11-01", {k: {"FM": 10 + i, "PD": i} for i, k in enumerate(others)})  # six desa: a ranking again
    v = ringkasan.build(con, f, Settings(), today=date(2026, 12, 6))
    assert v.priority_note is None and len(v.priority) == 5
    assert "Kemiskinan" in set(v.priority["Paling menonjol"]) or "Disabilitas" in set(v.priority["Paling menonjol"])
    con.close()


def test_a_group_that_lifts_nobody_is_not_the_most_prominent():
    import pandas as pd

    from dashboard import priority

    rates = pd.DataFrame({"anak": [0.0, 0.0, 0.0], "kemiskinan": [5.0, 5.0, 9.0]}, index=["a", "b", "c"])
    out = priority.composite(rates, {"anak": 1, "kemiskinan": 1})
    assert pd.isna(out.at["a", "utama"]) and pd.isna(out.at["b", "utama"])  # every score 0: nothing stands out
    assert out.at["c", "utama"] == "kemiskinan"


def test_ringkasan_says_when_the_ranking_mixes_real_and_estimated_population():
    """Issue 27 point 3: real population for Palang's 19 desa beside the demo's estimates: Prioritas warned, Ringkasan
    did not."""
    from datetime import date

    from dashboard.views import prioritas, ringkasan
    from etl.read.sheets import Sheet, read_csv_rows
    from etl.write.population import analyse, commit, parse_acuan

    con = _fresh()
    palang = con.execute("select kode from wilayah where tingkat = 'desa' and kode_induk = '35.23.18' order by kode").fetchall()
    data = ("Kode Desa;Jumlah\n" + "\n".join(f"{k};{400 + i}" for i, (k,) in enumerate(palang))).encode()  # small: they rise to the top
    acuan = parse_acuan("2026-S1", date(2026, 12, 6))
    result = analyse(con, "palang.csv", data, [Sheet(None, read_csv_rows(data))], acuan)
    assert result.status == "accepted", result.issues
    commit(con, result, acuan, "dukcapil", "uji")
    f = _filters(con, "2026-10-01")
    assert prioritas.build(con, f, Settings()).mixed_note
    v = ringkasan.build(con, f, Settings(), today=date(2026, 12, 6))
    assert v.priority_mixed and "mencampur penduduk nyata dan perkiraan" in v.priority_mixed
    estimated = con.execute("select count(*) from penduduk_desa where aktif and perkiraan").fetchone()[0]
    assert estimated and "*" in v.priority_mixed
    starred = [n for n in v.priority["Desa/Kelurahan"] if n.endswith(" *")]
    real = {r[0] for r in con.execute("select w.nama from wilayah w where kode_induk = '35.23.18'").fetchall()}
    assert all(n[:-2] not in real for n in starred)  # only estimated desa carry the star
    con.close()


def test_population_dates_offered_have_passed_and_each_date_is_offered_once():
    """Issue 27 point 6: on 6 December 2026 the default was 'Semester II 2026' (31 December, still ahead), and
    '2026 (31 Desember)' was listed apart for the same date."""
    from datetime import date

    from dashboard.penduduk_view import acuan_choices, acuan_label

    today = date(2026, 12, 6)
    for sumber in ("dukcapil", "bps", "desa", "lainnya"):
        choices = acuan_choices(today, sumber)
        assert all(a.tanggal <= today for a in choices)
        assert len({a.tanggal for a in choices}) == len(choices)
        assert choices[0].tanggal == date(2026, 6, 30) and acuan_label(choices[0]) == "Semester I 2026 (30 Juni 2026)"
    assert acuan_label(acuan_choices(today, "dukcapil")[1]) == "Semester II 2025 (31 Desember 2025)"
    assert acuan_label(acuan_choices(today, "bps")[1]) == "2025 (31 Desember 2025)"
    assert acuan_choices(date(2026, 12, 31), "dukcapil")[0].kode == "2026-S2"


def test_population_template_preview_and_unknown_code(tmp_path):
    """Blank template rows are no warning, the preview writes 4.191 and 89.640, and an unknown desa code is reported
    in its own column (A), not in the name's (C)."""
    import io

    import openpyxl

    from dashboard.penduduk_view import preview_frame
    from etl.cli.population import build_template
    from etl.read.sandbox import SheetReader
    from etl.write.population import analyse, parse_acuan
    from tests.conftest import memory_warehouse

    con = memory_warehouse(months=1)
    book = openpyxl.load_workbook(io.BytesIO(build_template(con)))
    sheet = book["Penduduk"]
    sheet.cell(5, 4, 2000)
    sheet.cell(5, 5, 2191)
    sheet.cell(6, 6, 89640)
    out = io.BytesIO()
    book.save(out)
    acuan = parse_acuan("2025-S2")
    with SheetReader() as reader:
        result = analyse(con, "templat.xlsx", out.getvalue(), reader.read(out.getvalue(), "templat.xlsx"), acuan)
        assert result.status == "accepted" and not result.warnings, result.issues
        assert "326 desa dibiarkan kosong" in result.note
        names = con.execute("select kode, nama, 'X' as kecamatan from wilayah where tingkat = 'desa'").df().set_index("kode")
        shown = preview_frame(result.rows, names)
        assert list(shown["Jumlah"]) == ["4.191", "89.640"] and list(shown["L"]) == ["2.000", "—"]
        sheet.cell(5, 1, "35.23.18.2999")  # no such desa
        out = io.BytesIO()
        book.save(out)
        bad = analyse(con, "templat.xlsx", out.getvalue(), reader.read(out.getvalue(), "templat.xlsx"), acuan)
    issue = next(i for i in bad.errors if "35.23.18.2999" in i.message)
    assert issue.column == "A" and issue.row == 5
    con.close()


def test_the_user_command_names_the_kecamatan(tmp_path, empty_db):
    """Issue 27 point 7: the CLI said 'Kec. 35.23.18' where the name Palang is meant."""
    import os
    import shutil
    import subprocess
    import sys

    from store import close_all
    from tests.conftest import add_users

    db = tmp_path / "pmks.duckdb"
    shutil.copy(empty_db, db)
    add_users(db, ("adm", "admin", ""))  # the first user is an admin
    close_all()
    env = {**os.environ, "PMKS_DB": str(db)}
    add = subprocess.run([sys.executable, "-m", "etl", "user", "add", "tksk", "--role", "analis", "--kecamatan", "35.23.18", "--password-stdin"],
                         input="kata-sandi-tksk\n", cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert add.returncode == 0, add.stderr
    assert "(analis, Kec. Palang (35.23.18))" in add.stdout
    listed = subprocess.run([sys.executable, "-m", "etl", "user", "list"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert "Kec. Palang (35.23.18)" in listed.stdout


def test_the_peta_hint_fits_its_map_and_the_checkbox_label_is_short(monkeypatch, built_db):
    from tests.test_pages import run_app

    at = run_app(monkeypatch, built_db, "pages/peta.py", query={"ukuran": "per1000"})
    assert not at.exception
    assert any("Klik kecamatan di peta" in c.value for c in at.caption)
    assert at.checkbox(key="peta_tetap").label == "Kelas tetap antarbulan" and "12 bulan terakhir" in at.checkbox(key="peta_tetap").help
    at = run_app(monkeypatch, built_db, "pages/peta.py", query={"ukuran": "per1000", "kec": "35.23.18"})
    assert not at.exception
    assert not any("Klik kecamatan" in c.value for c in at.caption)  # the desa map: nothing to click into


def test_an_empty_list_of_rises_says_why():
    from datetime import date

    from dashboard.views import ringkasan

    con = _fresh()
    first = con.execute("select kode_desa from laporan where aktif and periode = '2026-10-01' order by kode_desa limit 1").fetchone()[0]
    _report(con, "2026-11-01", {first: {"FM": 1}})  # far below its usual total: no rise anywhere
    v = ringkasan.build(con, _filters(con, "2026-11-01"), Settings(), today=date(2026, 12, 6))
    assert v.rises.empty and v.rises_note.startswith("Tidak ada desa yang jumlahnya naik pada November 2026")
    con.close()


def test_tentang_shows_every_definition_whole(monkeypatch, built_db):
    from tests.conftest import html_tables
    from tests.test_pages import run_app

    at = run_app(monkeypatch, built_db, "pages/tentang.py")
    assert not at.exception
    shown = next(t for t in html_tables(at) if "Definisi" in t.columns)
    written = [r["definisi"] for r in csv.DictReader((REPO / "data" / "indikator.csv").open(encoding="utf-8"))]
    assert sorted(shown["Definisi"]) == sorted(written)  # a plain table wraps them; the grid cut them


def test_a_phone_gets_a_map_with_its_legend_under_it_and_the_title_clear_of_the_mode_bar(built_db):
    """Issue 27 point 9: on a phone the map's legend was cut at the right edge and its tool buttons sat on its title."""
    import json
    from datetime import date

    import duckdb

    from dashboard import maps
    from dashboard.views import Filters, peta

    con = duckdb.connect(str(built_db), read_only=True)
    try:
        for ukuran in ("per1000", "jumlah"):
            f = Filters(date(2026, 10, 1), ukuran=ukuran)
            phone = json.loads(peta.build(con, f, Settings(), peta.MapChoice(width=350)).figure.to_json())["layout"]
            wide = json.loads(peta.build(con, f, Settings(), peta.MapChoice()).figure.to_json())["layout"]
            assert phone["map"]["domain"]["x"] == [0, 1] and phone["map"]["domain"]["y"][0] > 0.3  # the legend strip below
            assert wide["map"]["domain"]["y"] == [0, 1] and wide["map"]["domain"]["x"][1] < 0.85  # beside, on a screen
            for layout, width in ((phone, 350), (wide, 940)):  # the title starts under the mode bar's row, wrapped to fit
                assert layout["title"]["pad"]["t"] >= maps.MODEBAR and layout["title"]["yanchor"] == "top"
                assert all(len(line) * 8 <= width - maps.MODEBAR for line in layout["title"]["text"].split("<br>"))
            assert len(phone["title"]["text"].split("<br>")) == 2
            if ukuran == "jumlah":  # reference circles and their labels inside the figure, under the map
                assert all(0 <= a["x"] <= 1 and a["y"] < phone["map"]["domain"]["y"][0] for a in phone["annotations"])
    finally:
        con.close()


def test_leadership_gets_no_camera_and_staff_get_one_that_is_audited_in_the_readme(monkeypatch, demo_db):
    """Issue 27 point 10: pimpinan have no downloads of any kind (README, Security model), so no chart of theirs offers
    to save a PNG; staff and up save maps and charts with the camera, and the README says it is audited."""
    import json

    from tests.conftest import add_users
    from tests.test_access import login

    add_users(demo_db, ("adm", "admin", ""), ("pim", "pimpinan", ""), ("staf", "staf", ""))
    for user, camera in (("pim", False), ("staf", True)):
        for page in ("pages/peta.py", "pages/ringkasan.py", "pages/profil.py"):
            at = login(monkeypatch, demo_db, user, page=page)
            assert not at.exception
            configs = [json.loads(c.proto.config) for c in at.get("plotly_chart")]
            assert configs, page
            for config in configs:
                if camera:
                    assert config["modeBarButtons"] == [["toImage"]] and config["toImageButtonOptions"]["filename"], (user, page)
                else:
                    assert config["displayModeBar"] is False, (user, page)
            if page == "pages/peta.py":
                assert any("Tombol kamera" in c.value for c in at.caption) is camera
    readme = " ".join((REPO / "README.md").read_text().split())
    assert "tanpa unduhan apa pun, juga tanpa gambar grafik" in readme and "gambar peta dan grafik (PNG" in readme


def test_no_removed_streamlit_api_and_the_print_button_prints(app_server, page):
    """Issue 27 point 8: `st.components.v1.html` (removed after 2026-06-01) drew Profil's print button; the server
    warned 17 times. The button is a `st.components.v2` component now, and it still opens the print dialog."""
    from tests.test_browser import wait_until_idle

    page.goto(f"{app_server.url}/profil", wait_until="networkidle")
    wait_until_idle(page)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="Cetak A4").click()
    assert page.evaluate("() => window.__printed") == 1
    assert page.locator("iframe").count() == 0  # no component drawn in an iframe any more
    log = open(app_server.log.name, encoding="utf-8").read()
    assert "components.v1" not in log and "will be removed" not in log
