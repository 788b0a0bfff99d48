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
    scoped = riwayat.build(mem_con, "35.23.18", admin=False).batches.set_index("Batch")
    assert scoped.at[str(demo), "Laporan"] == f"{palang:,}".replace(",", ".")
    everyone = riwayat.build(mem_con, "", admin=False).batches.set_index("Batch")
    assert everyone.at[str(demo), "Laporan"] == f"{total:,}".replace(",", ".")


def test_audit_details_read_as_words_not_json(mem_con):
    from dashboard.views import riwayat

    assert riwayat.details('{"desa": 328, "kecamatan": 20}') == "desa 328; kecamatan 20"
    assert riwayat.details('{"batch": 5, "dihapus": 1234, "dipulihkan": 0}') == "batch 5; dicabut 1.234; dipulihkan 0"
    assert riwayat.details('{"rilis_publik": true}') == "mode rilis publik ya"
    assert riwayat.details(None) == "" and riwayat.details("kata biasa") == "kata biasa"
    log = riwayat.build(mem_con, "", admin=True).audit
    assert not any(str(r).lstrip().startswith(("{", "[")) for r in log["Rincian"])
    assert "_" not in " ".join(log["Aksi"])  # 'impor_penduduk' reads 'penduduk desa diimpor'
