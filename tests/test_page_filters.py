"""AppTest: a page disables the sidebar filters it does not read and says why; Profil Wilayah shows the area chosen in
the sidebar (one picker for every page), the kabupaten when none is chosen; Prioritas offers no choice of one option."""

from __future__ import annotations

import duckdb

from dashboard.filters import IGNORED, PAGE_USES, page_uses, uses
from tests.test_pages import run_app

PALANG = "35.23.18"


def sidebar_captions(at) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_prioritas_disables_indikator_ukuran_and_desa_and_says_why(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/prioritas.py", query={"periode": "2026-10", "kec": PALANG, "ind": "FM", "ukuran": "per1000"})
    assert not at.exception
    assert at.multiselect(key="f_ind").disabled and at.radio(key="f_ukuran").disabled and at.selectbox(key="f_desa").disabled
    assert not at.selectbox(key="f_kec").disabled and not at.selectbox(key="f_periode").disabled and not at.toggle(key="f_rilis").disabled
    said = sidebar_captions(at)
    assert "Halaman ini memakai semua indikator" in said and "laju per 1.000 penduduk" in said
    # the kecamatan is used: the list is Palang's desa; the level has one option, so it is said, not offered
    assert set(at.dataframe[0].value["Kecamatan"]) == {"Palang"}
    assert not [r for r in at.radio if r.key == "prioritas_tingkat"]
    assert any(c.value.startswith("Tingkat: desa/kelurahan") for c in at.main.caption)
    # the ignored choices are kept for the pages that read them
    at.switch_page("pages/jelajah.py").run()
    assert not at.exception
    assert at.multiselect(key="f_ind").value == ["FM"] and not at.multiselect(key="f_ind").disabled
    assert at.radio(key="f_ukuran").value == "per1000" and not at.radio(key="f_ukuran").disabled


def test_prioritas_without_a_kecamatan_offers_both_levels(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, "pages/prioritas.py", query={"periode": "2026-10"})
    assert [r.options for r in at.radio if r.key == "prioritas_tingkat"] == [["Desa/kelurahan", "Kecamatan"]]


def test_profil_disables_indikator_and_ukuran_and_follows_the_sidebar_area(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    desa, nama = con.execute("select kode, nama from wilayah where tingkat = 'desa' and kode_induk = ? order by kode limit 1", [PALANG]).fetchone()
    con.close()
    at = run_app(monkeypatch, built_db, "pages/profil.py", query={"periode": "2026-10", "ind": "FM"})
    assert not at.exception
    assert at.multiselect(key="f_ind").disabled and at.radio(key="f_ukuran").disabled
    assert not at.selectbox(key="f_kec").disabled
    assert "Halaman ini memakai semua indikator" in sidebar_captions(at)
    # nothing chosen in the sidebar ("Semua kecamatan"): the kabupaten's profile and how to choose an area
    assert at.selectbox(key="f_kec").value == ""
    assert [h.value for h in at.main.header] == ["Kabupaten Tuban"]
    assert any("Pilih kecamatan" in i.value for i in at.info)
    assert not [s for s in at.selectbox if s.key == "profil_wilayah"]  # no second area picker
    at.selectbox(key="f_kec").select(PALANG).run()
    assert [h.value for h in at.main.header] == ["Kec. Palang"] and not any("Pilih kecamatan" in i.value for i in at.info)
    at.selectbox(key="f_desa").select(desa).run()
    assert [h.value for h in at.main.header] == [f"{nama} (Kec. Palang)"]
    assert any(f"Kode wilayah {desa}" in c.value for c in at.main.caption)


def test_pages_that_read_every_filter_disable_none(monkeypatch, built_db):
    at = run_app(monkeypatch, built_db, None, query={"periode": "2026-10", "kec": PALANG})
    assert not at.exception
    assert not any(w.disabled for w in [at.multiselect(key="f_ind"), at.radio(key="f_ukuran"), at.selectbox(key="f_desa")])
    assert not any(reason in sidebar_captions(at) for reason in IGNORED.values())


def test_a_page_declares_what_it_reads():
    assert page_uses("ringkasan").uses("ind") and not page_uses("prioritas").uses("ind")
    declared = page_uses("peta", ("kec", "ind", "ukuran"))  # e.g. a map that ignores the desa
    assert not declared.uses("desa") and declared.uses("periode") and declared.uses("rilis")
    assert declared.reason("desa") == IGNORED["desa"]
    assert uses(("kec",), {"ind": "Bobot diatur di halaman."}).reason("ind") == "Bobot diatur di halaman."
    assert set(PAGE_USES) >= {"prioritas", "profil"}


def test_jelajah_with_one_desa_offers_no_level(monkeypatch, built_db):
    con = duckdb.connect(str(built_db), read_only=True)
    desa = con.execute("select min(kode) from wilayah where tingkat = 'desa' and kode_induk = ?", [PALANG]).fetchone()[0]
    con.close()
    at = run_app(monkeypatch, built_db, "pages/jelajah.py", query={"periode": "2026-10", "kec": PALANG, "desa": desa})
    assert not at.exception
    assert not [r for r in at.radio if r.key == "jelajah_tingkat"]
    assert any(c.value.startswith("Tingkat: desa/kelurahan") for c in at.main.caption)
    assert at.dataframe[0].value["Kode"].tolist() == [desa]
