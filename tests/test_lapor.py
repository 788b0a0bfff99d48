"""Lapor Bulanan (issue 25) at store level, on both stores: the whole cycle, the rules of a file import, Nihil and
copy, the period lock and its exception, replace-with-diff both ways, rollback, the count setting, scope refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import lapor
from accounts import rulebook
from accounts import store as accounts
from accounts.users import User
from common.errors import PMKSError
from store import open_store
from tests import reportfiles as rf
from tests.conftest import PASSWORD, check, reading, run_etl
from tests.test_marts import assert_marts_match_facts

NOV, OKT = date(2026, 11, 1), date(2026, 10, 1)
TODAY = date(2026, 12, 5)  # November is due on 10 December and closes 20 days later
PALANG = "35.23.18"


@pytest.fixture(params=["duckdb", "postgres"])
def wh(request):
    """The demo warehouse (history until October 2026) on either store, with a user of each Lapor role."""
    db = request.getfixturevalue("pg_demo" if request.param == "postgres" else "demo_db")
    store = open_store(db)
    with store.read() as con:
        desa = [r[0] for r in con.execute("select kode from wilayah where tingkat = 'desa' and kode like ? order by kode limit 2",
                                          [PALANG + ".%"]).fetchall()]
        elsewhere = con.execute("select kode from wilayah where tingkat = 'desa' and kode not like ? order by kode limit 1",
                                [PALANG + ".%"]).fetchone()[0]
    accounts.save_user(store, "adm", "Admin Dinsos", "admin", "", PASSWORD, "uji")
    accounts.save_user(store, "ana", "Analis Dinsos", "analis", "", PASSWORD, "uji")
    accounts.save_user(store, "psm", "Siti PSM", "psm", "", PASSWORD, "uji", desa=desa[0])
    accounts.save_user(store, "psm2", "Budi PSM", "psm", "", PASSWORD, "uji", desa=desa[1])
    accounts.save_user(store, "ver", "Tono TKSK", "verifikator", PALANG, PASSWORD, "uji")
    accounts.save_user(store, "ver2", "Lain TKSK", "verifikator", elsewhere[:8], PASSWORD, "uji")
    return db, store, desa[0], desa[1], elsewhere


def who(store, login: str) -> User:
    user = accounts.check_login(store, login, PASSWORD)
    assert user is not None
    return user


def fill(store, user, desa, periode, today=TODAY, shift=0) -> lapor.Form:
    """Enter every row one by one as a PSM types: about the desa's usual number (its median), `shift` more in L."""
    form = lapor.form(store, user, desa, periode, today)
    for i, row in enumerate(form.rows):
        total = round(row.median) if row.median is not None else i
        form = lapor.save_value(store, user, desa, periode, row.kode_indikator, total // 2 + shift, total - total // 2, "",
                                form.versi, today)
    return form


def active(con, desa, periode):
    return con.execute("""select l.id, b.jenis, b.status from laporan l join impor_batch b on b.id = l.batch_id
                          where l.kode_desa = ? and l.periode = ? and l.aktif""", [desa, periode]).fetchall()


def test_the_whole_cycle_from_draft_to_approval_and_back(wh):
    db, store, desa, _, _ = wh
    psm, ver, ana, adm = (who(store, x) for x in ("psm", "ver", "ana", "adm"))
    assert psm.desa == desa and psm.kecamatan == PALANG and not psm.ganti_sandi
    start = lapor.form(store, psm, desa, NOV, TODAY)
    assert (start.status, start.versi, start.terbuka, start.tutup) == ("belum", 0, True, date(2026, 12, 30))
    assert all(r.laki_laki is None for r in start.rows) and len(start.rows) >= 20
    assert NOV in lapor.open_months(store, psm, today=TODAY)
    form = lapor.copy_last_month(store, psm, desa, NOV, start.versi, TODAY)
    with reading(db) as con:
        october = dict(con.execute("""select n.kode_indikator, n.jumlah from laporan l join laporan_nilai n on n.laporan_id = l.id
                                      where l.kode_desa = ? and l.periode = ? and l.aktif""", [desa, OKT]).fetchall())
    assert {r.kode_indikator: r.jumlah for r in form.rows if r.jumlah is not None} == {k: v for k, v in october.items() if k in {r.kode_indikator for r in form.rows}}
    form = fill(store, psm, desa, NOV)
    assert form.status == "draf" and not lapor.problems(form)
    form = lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    assert form.status == "dikirim" and form.laporan_id is None  # counted only once approved (the default)
    assert [q.kode_desa for q in lapor.queue(store, ver)] == [desa]
    form = lapor.give_back(store, ver, desa, NOV, "Angka Fakir Miskin terlalu tinggi, mohon dicek.", form.versi, TODAY)
    assert form.status == "dikembalikan" and form.komentar.startswith("Angka Fakir Miskin")
    seen = lapor.form(store, psm, desa, NOV, TODAY)
    assert seen.komentar == form.komentar
    first = seen.rows[0]
    form = lapor.save_value(store, psm, desa, NOV, first.kode_indikator, 3, 4, "dicek ulang", seen.versi, TODAY)
    form = lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    form = lapor.verify(store, ver, desa, NOV, form.versi)
    assert form.status == "diverifikasi" and [q.kode_desa for q in lapor.queue(store, ana)] == [desa]
    assert lapor.approve(store, ana, [(desa, NOV)]) == 1
    assert lapor.approve(store, ana, [(desa, NOV)]) == 0  # approved already: nothing twice
    form = lapor.form(store, psm, desa, NOV, TODAY)
    assert form.status == "disetujui" and form.laporan_id is not None
    with reading(db) as con:
        [(report, jenis, status)] = active(con, desa, NOV)
        stored = dict(con.execute("select kode_indikator, jumlah from laporan_nilai where laporan_id = ?", [report]).fetchall())
        batch = con.execute("select pengguna, keterangan from impor_batch where id = (select batch_id from laporan where id = ?)", [report]).fetchone()
        mart = con.execute("select sum(jumlah) from agregat_bulanan where tingkat = 'desa' and kode_wilayah = ? and periode = ?", [desa, NOV]).fetchone()[0]
    assert (jenis, status) == ("web", "aktif") and batch[0] == "ana" and "Diverifikasi → Disetujui" in batch[1]
    assert stored == {r.kode_indikator: r.jumlah for r in form.rows} and mart == sum(stored.values())
    assert_marts_match_facts(db)
    assert [(s.dari, s.ke, s.oleh) for s in form.langkah] == [
        ("belum", "draf", "psm"), ("draf", "dikirim", "psm"), ("dikirim", "dikembalikan", "ver"),
        ("dikembalikan", "dikirim", "psm"), ("dikirim", "diverifikasi", "ver"), ("diverifikasi", "disetujui", "ana")]
    with pytest.raises(PMKSError):
        lapor.save_value(store, psm, desa, NOV, first.kode_indikator, 1, 1, "", form.versi, TODAY)  # approved: locked
    with pytest.raises(lapor.Forbidden):
        lapor.unapprove(store, ana, desa, NOV, "salah")
    form = lapor.unapprove(store, adm, desa, NOV, "Data ganda dengan laporan kecamatan")
    assert form.status == "diverifikasi" and form.laporan_id is None
    with reading(db) as con:
        assert active(con, desa, NOV) == []  # withdrawn: counted only when approved
        audit = [r[0] for r in con.execute("select aksi from audit where objek = ? order by id", [f"{desa} 2026-11"]).fetchall()]
    assert_marts_match_facts(db)
    assert audit.count("lapor_simpan") == len(form.rows) + 1
    for action in ("lapor_salin", "lapor_dikirim", "lapor_dikembalikan", "lapor_diverifikasi", "lapor_disetujui", "lapor_terbit", "lapor_tarik"):
        assert action in audit, action
    assert lapor.statuses(store, NOV, PALANG)[desa].status == "diverifikasi"


def test_sending_follows_the_rules_of_a_file_import(wh):
    db, store, desa, _, _ = wh
    psm = who(store, "psm")
    form = lapor.form(store, psm, desa, NOV, TODAY)
    with pytest.raises(lapor.Problems) as refused:
        lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    assert len(refused.value.issues) == len(form.rows) and "isi L dan P" in refused.value.issues[0].message
    row = form.rows[0]
    for bad in (-1, "abc", 2.5, "1,5"):
        with pytest.raises(PMKSError, match="bilangan bulat"):
            lapor.save_value(store, psm, desa, NOV, row.kode_indikator, bad, 0, "", form.versi, TODAY)
    assert lapor.form(store, psm, desa, NOV, TODAY).versi == 0  # nothing changed
    form = lapor.copy_last_month(store, psm, desa, NOV, 0, TODAY)
    with_history = next(r for r in form.rows if r.riwayat and r.riwayat[0] >= 6)
    far = int(with_history.riwayat[1]) + 500
    form = lapor.save_value(store, psm, desa, NOV, with_history.kode_indikator, far, 0, "", form.versi, TODAY)
    for r in form.rows:
        if r.jumlah is None:
            form = lapor.save_value(store, psm, desa, NOV, r.kode_indikator, 0, 0, "", form.versi, TODAY)
    issues = lapor.problems(form)
    assert [(i.kode_indikator, i.blocking) for i in issues] == [(with_history.kode_indikator, False)]
    assert "jauh dari riwayat desa" in issues[0].message and "catatan" in issues[0].message
    with pytest.raises(lapor.Problems):
        lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    form = lapor.save_value(store, psm, desa, NOV, with_history.kode_indikator, far, 0, "Ada relokasi warga", form.versi, TODAY)
    assert lapor.send(store, psm, desa, NOV, form.versi, TODAY).status == "dikirim"


def test_nihil_is_an_explicit_all_zero_report_not_a_missing_one(wh):
    db, store, desa, other, _ = wh
    adm, psm = who(store, "adm"), who(store, "psm")
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    form = lapor.set_nihil(store, psm, desa, NOV, 0, TODAY)
    assert form.nihil and all((r.laki_laki, r.perempuan) == (0, 0) for r in form.rows)
    form = lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    with reading(db) as con:
        [(report, _, _)] = active(con, desa, NOV)
        assert con.execute("select count(*), sum(jumlah) from laporan_nilai where laporan_id = ?", [report]).fetchone() == (len(form.rows), 0)
        assert active(con, other, NOV) == []  # not reporting leaves no report
        assert con.execute("select semua_nol from agregat_laporan where tingkat = 'desa' and kode_wilayah = ? and periode = ?",
                           [desa, NOV]).fetchone() == (1,)
    marked = lapor.statuses(store, NOV)[desa]
    assert marked.dihitung and marked.ditandai  # counted, not yet approved: the pages mark it


def test_the_period_lock_and_the_admins_recorded_exception(wh):
    db, store, desa, _, _ = wh
    psm, adm = who(store, "psm"), who(store, "adm")
    late = date(2026, 12, 31)
    form = lapor.form(store, psm, desa, NOV, late)
    assert not form.terbuka and NOV not in lapor.open_months(store, psm, today=late)
    with pytest.raises(lapor.Closed, match="ditutup pada 30 Desember 2026"):
        lapor.save_value(store, psm, desa, NOV, form.rows[0].kode_indikator, 1, 1, "", form.versi, late)
    with pytest.raises(lapor.Forbidden):
        lapor.reopen(store, psm, desa, NOV, "mohon dibuka", today=late)
    with pytest.raises(PMKSError, match="alasan"):
        lapor.reopen(store, adm, desa, NOV, " ", today=late)
    lapor.reopen(store, adm, desa, NOV, "PSM sakit saat tenggat", days=5, today=late)
    form = lapor.form(store, psm, desa, NOV, late)
    assert form.terbuka and form.tutup == date(2027, 1, 5) and NOV in lapor.open_months(store, psm, today=late)
    lapor.save_value(store, psm, desa, NOV, form.rows[0].kode_indikator, 1, 1, "", form.versi, late)
    with pytest.raises(lapor.Closed):
        lapor.save_value(store, psm, desa, NOV, form.rows[0].kode_indikator, 2, 1, "", form.versi + 1, date(2027, 1, 6))
    lapor.save_settings(store, adm, 40, lapor.COUNT_APPROVED)  # a longer lock opens it for everyone
    assert lapor.form(store, psm, desa, NOV, date(2027, 1, 6)).terbuka
    with reading(db) as con:
        assert con.execute("select pengguna, rincian from audit where aksi = 'lapor_buka'").fetchall()[0][0] == "adm"


def test_replace_with_diff_both_ways_and_rollback(wh, tmp_path):
    """October already has an imported (demo) report: the web report replaces it with its differences audited; an
    import with --replace replaces the web report; rolling that import back brings the web report back; giving the
    web report back brings the import back. The marts equal the facts at every step."""
    db, store, desa, _, _ = wh
    psm, ver, adm = who(store, "psm"), who(store, "ver"), who(store, "adm")
    early = date(2026, 11, 5)
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    with reading(db) as con:
        [(imported, jenis, _)] = active(con, desa, OKT)
        nama, nama_kec = con.execute("select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.kode = ?", [desa]).fetchone()
    assert jenis == "demo"
    form = fill(store, psm, desa, OKT, early, shift=1)
    assert lapor.changes(store, psm, desa, OKT)  # the diff against the imported report, before sending
    form = lapor.send(store, psm, desa, OKT, form.versi, early)
    with reading(db) as con:
        [(web, jenis, _)] = active(con, desa, OKT)
        replaced = con.execute("select aktif, diganti_batch from laporan where id = ?", [imported]).fetchone()
        diff = con.execute("select rincian from audit where aksi = 'ganti_laporan' and objek = ?", [f"{desa} 2026-10"]).fetchone()[0]
    assert jenis == "web" and replaced[0] is False and replaced[1] is not None
    assert f"{nama}, " in diff and "→" in diff
    assert_marts_match_facts(db)
    # an import replaces the web report, with the importer's own diff
    path = tmp_path / "okt.xlsx"
    path.write_bytes(rf.form_xlsx(nama, nama_kec, "Oktober 2026", {"Fakir Miskin": 99}))
    refused = run_etl("import", str(path), db=db)
    assert refused.returncode != 0 and "sudah ada" in refused.stdout + refused.stderr
    check(run_etl("import", str(path), "--replace", db=db))
    with reading(db) as con:
        [(new, jenis, _)] = active(con, desa, OKT)
        batch = con.execute("select batch_id from laporan where id = ?", [new]).fetchone()[0]
    assert jenis == "impor"
    assert_marts_match_facts(db)
    check(run_etl("rollback", str(batch), db=db))  # the web report comes back
    with reading(db) as con:
        assert [r[0] for r in active(con, desa, OKT)] == [web]
    assert_marts_match_facts(db)
    lapor.give_back(store, ver, desa, OKT, "Mohon periksa lagi", lapor.form(store, ver, desa, OKT, early).versi, early)
    with reading(db) as con:
        assert [r[0] for r in active(con, desa, OKT)] == [imported]  # withdrawn: the imported report counts again
    assert_marts_match_facts(db)


def test_a_web_report_withdrawn_after_an_import_replaced_it_never_comes_back(wh, tmp_path):
    """Web report over the imported one, an import over the web report, the web report given back, the import rolled
    back: the first imported report counts again, not the withdrawn web report."""
    db, store, desa, _, _ = wh
    psm, ver, adm = who(store, "psm"), who(store, "ver"), who(store, "adm")
    early = date(2026, 11, 5)
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    with reading(db) as con:
        [(imported, _, _)] = active(con, desa, OKT)
        nama, nama_kec = con.execute("select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.kode = ?", [desa]).fetchone()
    form = lapor.send(store, psm, desa, OKT, fill(store, psm, desa, OKT, early, shift=1).versi, early)
    path = tmp_path / "okt.xlsx"
    path.write_bytes(rf.form_xlsx(nama, nama_kec, "Oktober 2026", {"Fakir Miskin": 99}))
    check(run_etl("import", str(path), "--replace", db=db))
    with reading(db) as con:
        [(_, jenis, _)] = active(con, desa, OKT)
        batch = con.execute("select max(id) from impor_batch where jenis = 'impor'").fetchone()[0]
    assert jenis == "impor"
    lapor.give_back(store, ver, desa, OKT, "Mohon periksa lagi", form.versi, early)
    with reading(db) as con:
        assert active(con, desa, OKT)[0][1] == "impor"  # the import still counts
    check(run_etl("rollback", str(batch), db=db))
    with reading(db) as con:
        assert [r[0] for r in active(con, desa, OKT)] == [imported]
    assert_marts_match_facts(db)


def test_a_web_report_leaves_through_its_workflow_not_behind_it(wh):
    """Rolling back a Lapor Bulanan batch from Riwayat or the CLI would take the numbers out while the report still
    says 'dikirim': refused in Indonesian, nothing changes, and Riwayat does not offer it; giving it back withdraws it."""
    from dashboard.views import riwayat

    db, store, desa, _, _ = wh
    psm, ver, adm = who(store, "psm"), who(store, "ver"), who(store, "adm")
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    form = lapor.send(store, psm, desa, NOV, fill(store, psm, desa, NOV).versi, TODAY)
    with reading(db) as con:
        [(_, jenis, _)] = active(con, desa, NOV)
        batch = con.execute("select batch_id from lapor where kode_desa = ? and periode = ?", [desa, NOV]).fetchone()[0]
        audits = con.execute("select count(*) from audit").fetchone()[0]
    with store.analytics() as con:  # what the Riwayat page reads
        offered = riwayat.build(con, "", False)
    assert batch in {int(b) for b in offered.batches["Batch"]} and batch not in offered.undoable
    assert jenis == "web"
    refused = run_etl("rollback", str(batch), db=db)
    assert refused.returncode != 0 and "Lapor Bulanan" in refused.stdout + refused.stderr and "Traceback" not in refused.stderr
    with reading(db) as con:
        assert [r[1:] for r in active(con, desa, NOV)] == [("web", "aktif")]
        assert con.execute("select count(*) from audit").fetchone()[0] == audits
    assert lapor.form(store, psm, desa, NOV, TODAY).status == "dikirim"
    lapor.give_back(store, ver, desa, NOV, "Mohon periksa lagi", form.versi, TODAY)
    with reading(db) as con:
        assert active(con, desa, NOV) == []
    assert_marts_match_facts(db)


def test_switching_the_count_setting_back_leaves_a_newer_import_in_place(wh, tmp_path):
    """Web report sent (counted), an import --replace after it, the setting to 'approved only' and back: the import
    still counts; the setting does not bring the older web numbers back."""
    db, store, desa, _, _ = wh
    psm, adm = who(store, "psm"), who(store, "adm")
    early = date(2026, 11, 5)
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    with reading(db) as con:
        nama, nama_kec = con.execute("select d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.kode = ?", [desa]).fetchone()
    lapor.send(store, psm, desa, OKT, fill(store, psm, desa, OKT, early, shift=1).versi, early)
    path = tmp_path / "okt.xlsx"
    path.write_bytes(rf.form_xlsx(nama, nama_kec, "Oktober 2026", {"Fakir Miskin": 99}))
    check(run_etl("import", str(path), "--replace", db=db))
    with reading(db) as con:
        [(imported, jenis, _)] = active(con, desa, OKT)
    assert jenis == "impor"
    lapor.save_settings(store, adm, 20, lapor.COUNT_APPROVED)
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    with reading(db) as con:
        assert [r[0] for r in active(con, desa, OKT)] == [imported]
    assert_marts_match_facts(db)


def test_a_report_is_returned_after_the_lock_day_only_once_an_admin_reopens_it(wh):
    """Returning a counted report after the lock would take it out of the counts while the PSM could not correct it:
    refused in Indonesian, nothing changes; after the admin's exception the return goes through and the PSM sees it."""
    db, store, desa, _, _ = wh
    psm, ver, adm = who(store, "psm"), who(store, "ver"), who(store, "adm")
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    form = lapor.send(store, psm, desa, NOV, fill(store, psm, desa, NOV).versi, TODAY)
    late = form.tutup + timedelta(days=3)
    with pytest.raises(lapor.Closed, match="membuka kembali"):
        lapor.give_back(store, ver, desa, NOV, "Mohon dicek lagi.", form.versi, late)
    assert lapor.form(store, psm, desa, NOV, late).status == "dikirim"
    with reading(db) as con:
        assert [r[1] for r in active(con, desa, NOV)] == ["web"]
    lapor.reopen(store, adm, desa, NOV, "Perbaikan data lansia", days=7, today=late)
    back = lapor.give_back(store, ver, desa, NOV, "Mohon dicek lagi.", form.versi, late)
    assert back.status == "dikembalikan" and back.terbuka and NOV in lapor.open_months(store, psm, today=late)


def test_the_lock_follows_the_due_day_the_pages_use(wh, monkeypatch):
    """$PMKS_DUE_DAY comes before the stored due day for Kelengkapan; the lock counts from the same day."""
    _, store, desa, _, _ = wh
    psm = who(store, "psm")
    days = lapor.settings(store).hari_kunci
    assert lapor.form(store, psm, desa, NOV, TODAY).tutup == date(2026, 12, 10) + timedelta(days=days)
    monkeypatch.setenv("PMKS_DUE_DAY", "25")
    assert lapor.form(store, psm, desa, NOV, TODAY).tutup == date(2026, 12, 25) + timedelta(days=days)


def test_the_count_setting_publishes_and_withdraws_what_it_concerns(wh):
    db, store, desa, _, _ = wh
    psm, ver, adm = who(store, "psm"), who(store, "ver"), who(store, "adm")
    form = lapor.send(store, psm, desa, NOV, fill(store, psm, desa, NOV).versi, TODAY)
    with reading(db) as con:
        assert active(con, desa, NOV) == []
    with pytest.raises(lapor.Forbidden):
        lapor.save_settings(store, ver, 20, lapor.COUNT_SENT)
    with pytest.raises(PMKSError):
        lapor.save_settings(store, adm, -1, lapor.COUNT_SENT)
    lapor.save_settings(store, adm, 20, lapor.COUNT_SENT)
    assert lapor.settings(store).hitung == lapor.COUNT_SENT
    with reading(db) as con:
        assert len(active(con, desa, NOV)) == 1
    assert_marts_match_facts(db)
    lapor.save_settings(store, adm, 20, lapor.COUNT_APPROVED)
    with reading(db) as con:
        assert active(con, desa, NOV) == []
    assert_marts_match_facts(db)
    assert form.status == "dikirim"


def test_scope_a_psm_its_desa_a_verifikator_its_kecamatan(wh):
    db, store, desa, other, elsewhere = wh
    psm, psm2, ver, ver2, ana = (who(store, x) for x in ("psm", "psm2", "ver", "ver2", "ana"))
    assert rulebook.pages(psm) == ("lapor", "profil") and rulebook.pages(ver)[0] == "verifikasi"
    assert "verifikasi" in rulebook.pages(ana) and "lapor" not in rulebook.pages(ana)
    assert rulebook.clamp(psm, "", "") == (PALANG, desa) and rulebook.clamp(psm, PALANG, other) == (PALANG, desa)
    assert not rulebook.covers(psm, "") and not rulebook.covers(psm, other) and rulebook.covers(psm, desa)  # downloads
    assert not rulebook.may(psm, "unduh")
    for call in (lambda: lapor.form(store, psm, other, NOV, TODAY), lambda: lapor.open_months(store, psm, other, TODAY),
                 lambda: lapor.save_value(store, psm, other, NOV, "FM", 1, 1, "", 0, TODAY),
                 lambda: lapor.set_nihil(store, psm, other, NOV, 0, TODAY), lambda: lapor.send(store, psm, other, NOV, 0, TODAY),
                 lambda: lapor.verify(store, psm, desa, NOV, 0), lambda: lapor.approve(store, psm, [(desa, NOV)]),
                 lambda: lapor.form(store, ver, elsewhere, NOV, TODAY), lambda: lapor.verify(store, ver2, desa, NOV, 0),
                 lambda: lapor.give_back(store, ver2, desa, NOV, "x", 0), lambda: lapor.approve(store, ver, [(desa, NOV)]),
                 lambda: lapor.queue(store, psm), lambda: lapor.reopen(store, ver, desa, NOV, "x", today=TODAY)):
        with pytest.raises(lapor.Forbidden):
            call()
    lapor.send(store, psm2, other, NOV, fill(store, psm2, other, NOV).versi, TODAY)
    assert [q.kode_desa for q in lapor.queue(store, ver)] == [other] and lapor.queue(store, ver2) == []
    with reading(db) as con:
        assert con.execute("select count(*) from lapor where kode_desa = ?", [desa]).fetchone() == (0,)  # refused wrote nothing


def test_the_provenance_panel_names_who_sent_verified_and_approved_a_report_entered_in_the_app(wh):
    """Issue 26 on a report of issue 25: the panel's source of a desa's number is the Lapor Bulanan entry with the
    sending, verification and approval that count (the sending before a return is not the one that counts)."""
    from dashboard.views import Settings
    from dashboard.views.asal import Question, build

    _, store, desa, _, _ = wh
    psm, ver, ana = (who(store, x) for x in ("psm", "ver", "ana"))
    form = lapor.send(store, psm, desa, NOV, fill(store, psm, desa, NOV).versi, TODAY)
    form = lapor.give_back(store, ver, desa, NOV, "Mohon dicek lagi.", form.versi, TODAY)
    form = lapor.send(store, psm, desa, NOV, form.versi, TODAY)
    form = lapor.verify(store, ver, desa, NOV, form.versi)
    assert lapor.approve(store, ana, [(desa, NOV)]) == 1
    with store.read() as con:
        view = build(con, Question(desa, NOV), Settings())
    steps = [s for s in lapor.form(store, psm, desa, NOV, TODAY).langkah if s.ke in ("dikirim", "diverifikasi", "disetujui")]
    [source] = view.parts_table["Sumber"]
    assert source.startswith("Lapor Bulanan di aplikasi: dikirim oleh psm")
    assert source.index("dikirim oleh psm") < source.index("diverifikasi oleh ver") < source.index("disetujui oleh ana")
    assert source.count("dikirim oleh") == 1 and len(steps) == 4  # sent twice, the latest sending named once
    assert view.total == sum(r.jumlah for r in form.rows)


def test_a_report_from_a_kecamatan_without_a_verifikator_waits_for_dinsos_not_for_nobody(wh):
    _, store, desa, _, elsewhere = wh
    with store.read() as con:
        covered = [r[0] for r in con.execute("select kecamatan from pengguna where peran = 'verifikator'").fetchall()]
        lone = con.execute("select kode from wilayah where tingkat = 'desa' and kode not like ? and kode not like ? order by kode limit 1",
                           [covered[0] + ".%", covered[1] + ".%"]).fetchone()[0]
    accounts.save_user(store, "psm3", "Sari PSM", "psm", "", PASSWORD, "uji", desa=lone)
    psm, psm3, ana, ver = (who(store, x) for x in ("psm", "psm3", "ana", "ver"))
    lapor.send(store, psm, desa, NOV, fill(store, psm, desa, NOV).versi, TODAY)
    lapor.send(store, psm3, lone, NOV, fill(store, psm3, lone, NOV).versi, TODAY)
    assert [(q.kode_desa, q.status) for q in lapor.queue(store, ana)] == [(lone, "dikirim")]  # Palang's verifikator has its own
    assert [q.kode_desa for q in lapor.queue(store, ver)] == [desa]
    form = lapor.verify(store, ana, lone, NOV, lapor.form(store, ana, lone, NOV, TODAY).versi)
    assert [(q.kode_desa, q.status) for q in lapor.queue(store, ana)] == [(lone, "diverifikasi")]
    assert form.langkah[-1].oleh == "ana"
