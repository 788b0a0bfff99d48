"""Issue 25's acceptance in a real chromium at 390 x 844 (a phone) against the real app server: the whole cycle of a
PSM's monthly report. An admin creates the PSM's account from a CSV and downloads the one-time password; the PSM
signs in, sets a new password, copies last month, edits (closing the tab mid-entry loses nothing) and sends; the
verifikator returns it with a comment; the PSM corrects and sends; the verifikator verifies; the analyst approves;
the numbers appear on Ringkasan and Kelengkapan; after the lock day the PSM's save is refused in Indonesian; an
admin's exception reopens it; the audit log holds every step. Screenshots go to artifacts/lapor_*.png.

The warehouse's demo history ends three months before today, so the month the PSM reports (two months back) has
last month's report to copy and no report of its own, whatever day the test runs; the lock is set around it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.test_browser import IDLE
from tests.test_chrome import english_in, visible_words
from tests.test_lapor_pages import REPORT, desa_name, recent_warehouse, reporting_desa

PHONE = {"width": 390, "height": 844}
PASSWORD = "rahasia-uji-25"
PALANG = "35.23.18"
NEW_PASSWORD = "sandi-baru-psm-25"


@pytest.fixture(scope="module")
def lapor_server(tmp_path_factory, synthetic_boundaries):
    """The recent warehouse (tests.test_lapor_pages), an admin, an analyst and Palang's verifikator."""
    from store import close_all
    from tests.conftest import AppServer, add_users

    folder = tmp_path_factory.mktemp("lapor")
    db = recent_warehouse(folder / "pmks.duckdb", synthetic_boundaries)
    add_users(db, ("admin1", "admin", ""), ("analis1", "analis", ""), ("verif_palang", "verifikator", PALANG), password=PASSWORD)
    desa = reporting_desa(db)
    close_all()
    server = AppServer(db, folder / "streamlit.log")
    server.desa, server.nama_desa = desa, desa_name(db, desa)  # the PSM's desa: last month's report is there to copy
    yield server
    server.stop()


def _idle(page) -> None:
    page.wait_for_timeout(250)
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(250)
    page.wait_for_function(IDLE, timeout=60_000)


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True, device_scale_factor=2)
    context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), lambda route: route.abort())
    return context, context.new_page()


def _sign_in(page, url: str, login: str, password: str) -> None:
    page.goto(url, wait_until="networkidle")
    _idle(page)
    page.get_by_label("Nama pengguna", exact=True).fill(login)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
    _idle(page)


def _open(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    _idle(page)


def _main(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def _shot(page, artifacts, name: str) -> None:
    """The first screen of the page, scrolled to its top."""
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop > 0) e.scrollTop = 0; })")
    page.wait_for_timeout(200)
    page.screenshot(path=str(artifacts / f"lapor_{name}.png"))


def _fits(page) -> None:
    """The page at 390 px: no sideways scrolling, no Streamlit English."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not english_in(visible_words(page)), english_in(visible_words(page))


def _value(page, kind: str, kode: str):
    return page.locator(f".st-key-lapor_{kind}_{kode} input").input_value()


def _type(page, kind: str, kode: str, value) -> None:
    box = page.locator(f".st-key-lapor_{kind}_{kode} input")
    box.scroll_into_view_if_needed()
    box.fill(str(value))
    box.press("Tab")
    _idle(page)


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()
    _idle(page)


def _accounts_from_csv(browser, url: str, desa: str, tmp_path, artifacts) -> tuple[str, str]:
    """The admin uploads one PSM, sees the preview, creates the account, downloads the passwords (XLSX)."""
    import openpyxl

    context, page = _phone(browser)
    try:
        _sign_in(page, url, "admin1", PASSWORD)
        _open(page, f"{url}/pengaturan")
        page.get_by_text("Akun PSM sekaligus dari berkas").click()
        source = tmp_path / "psm_palang.csv"
        source.write_text(f"nama,desa,telepon\nSiti Rahayu,{desa},081234567890\n", encoding="utf-8")
        page.locator(".st-key-psm_berkas_0 input[type=file]").set_input_files(str(source))
        _idle(page)
        assert "Pratinjau: 1 akun PSM" in _main(page)
        _shot(page, artifacts, "1_admin_pratinjau")
        _click(page, "Buat 1 akun PSM")
        assert "1 akun PSM dibuat" in _main(page)
        _fits(page)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="Unduh kata sandi PSM (XLSX)").click()
        target = tmp_path / "sandi.xlsx"
        info.value.save_as(target)
        with page.expect_download(timeout=60_000) as pdf:
            page.get_by_role("button", name=re.compile("PDF untuk dicetak")).click()
        pdf.value.save_as(artifacts / "lapor_sandi_psm.pdf")
    finally:
        context.close()
    cells = [[str(c) if c is not None else "" for c in row] for row in openpyxl.load_workbook(target).active.iter_rows(values_only=True)]
    row = next(r for r in cells if "Siti Rahayu" in r)
    header = next(r for r in cells if any("sandi" in c.lower() for c in r))
    login = row[next(i for i, c in enumerate(header) if "akun" in c.lower() or "pengguna" in c.lower())]
    password = row[next(i for i, c in enumerate(header) if "sandi" in c.lower())]
    return login, password


def _rows(page) -> list[str]:
    """The indicator codes of the form, in order (from the widget keys)."""
    classes = page.eval_on_selector_all("[class*='st-key-lapor_L_']", "els => els.map(e => e.className)")
    return [re.search(r"st-key-lapor_L_(\S+)", c).group(1) for c in classes]


def _audit(db) -> list[tuple[str, str, str]]:
    from tests.conftest import open_snapshot

    con = open_snapshot(db)
    try:
        return con.execute("select pengguna, aksi, coalesce(objek, '') from audit order by id").fetchall()
    finally:
        con.close()


def test_a_psm_report_from_phone_to_approval(lapor_server, browser, artifacts, tmp_path):
    url = lapor_server.url
    NAMA_DESA = lapor_server.nama_desa
    login, onetime = _accounts_from_csv(browser, url, lapor_server.desa, tmp_path, artifacts)

    # the PSM: a one-time password, then a new one before anything else
    psm_context, psm = _phone(browser)
    _sign_in(psm, url, login, onetime)
    assert "Ganti kata sandi" in _main(psm) and not psm.locator("input[type=number]").count()
    _shot(psm, artifacts, "2_psm_ganti_sandi")
    _fits(psm)
    psm.get_by_label("Kata sandi sekali pakai", exact=True).fill(onetime)
    psm.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
    psm.get_by_label("Ulangi kata sandi baru", exact=True).fill(NEW_PASSWORD)
    _click(psm, "Simpan kata sandi baru")
    if psm.get_by_label("Nama pengguna", exact=True).count():  # the store ended the session with the old password
        _sign_in(psm, url, login, NEW_PASSWORD)
    assert "Lapor Bulanan" in _main(psm)
    _report_month(psm)
    assert _month_name(REPORT) in _main(psm)
    assert psm.locator("input[type=number]").first.get_attribute("inputmode") == "numeric"  # the phone's number pad
    codes = _rows(psm)
    assert len(codes) >= 20
    _click(psm, "Salin dari bulan lalu")
    copied = {k: (_value(psm, "L", k), _value(psm, "P", k)) for k in codes}
    assert all(a != "" and b != "" for a, b in copied.values())
    _shot(psm, artifacts, "3_psm_salin")
    _fits(psm)
    # edits, then the tab is closed mid-entry and opened again: every typed value is there
    _type(psm, "L", codes[0], 41)
    _type(psm, "P", codes[1], 17)
    _type(psm, "C", codes[1], "ada keluarga pindahan")
    psm.close()
    psm = psm_context.new_page()
    _open_lapor(psm, url)
    assert (_value(psm, "L", codes[0]), _value(psm, "P", codes[1]), _value(psm, "C", codes[1])) == ("41", "17", "ada keluarga pindahan")
    _note_far_rows(psm)
    _click(psm, "Kirim ke verifikator")
    assert "terkirim" in _main(psm), _main(psm)
    _shot(psm, artifacts, "4_psm_terkirim")

    # the verifikator returns it with a comment
    verif_context, verif = _phone(browser)
    _sign_in(verif, url, "verif_palang", PASSWORD)
    _open(verif, f"{url}/verifikasi")
    assert NAMA_DESA in _main(verif)
    verif.get_by_label("Komentar untuk PSM").fill("Angka baris pertama terlalu tinggi, mohon dicek lagi.")
    _click(verif, "Kembalikan ke PSM")
    assert "dikembalikan" in _main(verif).lower()
    _shot(verif, artifacts, "5_verifikator_kembalikan")
    _fits(verif)

    # the PSM sees the comment, corrects and sends again
    _open_lapor(psm, url)
    assert "terlalu tinggi" in _main(psm)
    _type(psm, "L", codes[0], 4)
    _note_far_rows(psm)
    _click(psm, "Kirim ke verifikator")
    assert "terkirim" in _main(psm)

    # the verifikator verifies; the analyst approves
    _open(verif, f"{url}/verifikasi")
    _click(verif, "Verifikasi")
    assert "diverifikasi" in _main(verif)
    ana_context, ana = _phone(browser)
    _sign_in(ana, url, "analis1", PASSWORD)
    _open(ana, f"{url}/verifikasi")
    assert NAMA_DESA in _main(ana)
    _shot(ana, artifacts, "6_analis_setujui")
    _click(ana, "Setujui 1 laporan terpilih")
    assert "disetujui" in _main(ana)

    # the numbers appear on Ringkasan and Kelengkapan
    total = _form_total(lapor_server.db, lapor_server.desa)
    _open(ana, f"{url}/?periode={REPORT:%Y-%m}")
    text = _main(ana)
    assert "1/328" in text and _angka(total) in text, text[:600]
    _shot(ana, artifacts, "7_ringkasan")
    _open(ana, f"{url}/kelengkapan?periode={REPORT:%Y-%m}&kec={PALANG}")
    assert "Disetujui" in _main(ana) and NAMA_DESA in _main(ana)
    _shot(ana, artifacts, "8_kelengkapan")
    ana.get_by_text("Laporan PSM dari aplikasi").first.scroll_into_view_if_needed()
    ana.wait_for_timeout(200)
    ana.screenshot(path=str(artifacts / "lapor_8b_kelengkapan_status_aplikasi.png"))

    # a mistake found after approval: the admin withdraws the approval with a reason and returns the report
    admin_context, admin = _phone(browser)
    _sign_in(admin, url, "admin1", PASSWORD)
    _open(admin, f"{url}/verifikasi")
    _choose(admin, "batal_desa", f"{NAMA_DESA} (Kec. Palang)")
    _choose(admin, "batal_bulan", _month_name(REPORT))
    admin.locator(".st-key-batal_alasan input").fill("Angka lansia tertukar dengan desa tetangga")
    _click(admin, "Batalkan persetujuan")
    assert "Persetujuan dibatalkan" in _main(admin), _main(admin)
    admin.get_by_label("Komentar untuk PSM").fill("Mohon tukar kembali angka lansia.")
    _click(admin, "Kembalikan ke PSM")
    assert "dikembalikan" in _main(admin).lower()
    _shot(admin, artifacts, "9_admin_batal_setuju")

    # the PSM has the returned report open; the lock day passes (the admin sets it on Pengaturan): the save is refused
    _open_lapor(psm, url)
    assert "Mohon tukar kembali" in _main(psm)
    _open(admin, f"{url}/pengaturan")
    _number(admin, "pengaturan_hari", 1)
    _click(admin, "Simpan pengaturan")
    _number(admin, "lapor_kunci", 0)
    _click(admin, "Simpan pengaturan laporan")
    assert "0 hari sesudah tanggal batas" in _main(admin), _main(admin)
    _type(psm, "L", codes[2], 99)
    assert "sudah ditutup" in _main(psm) and _value(psm, "L", codes[2]) != "99", _main(psm)  # refused, the stored value shown
    assert psm.locator(f".st-key-lapor_L_{codes[2]} input").is_disabled()  # the month stays on screen, read-only
    _shot(psm, artifacts, "10_psm_ditutup")
    _fits(psm)

    # the admin's exception opens it again for this desa and month: the PSM saves
    admin.get_by_text("Buka kembali pengisian satu desa").click()
    admin.locator(".st-key-buka_desa input").wait_for(state="visible")
    _choose(admin, "buka_desa", f"{NAMA_DESA} (Kec. Palang)")
    _choose(admin, "buka_bulan", _month_name(REPORT))
    admin.locator(".st-key-buka_alasan input").fill("PSM sakit saat batas pengisian")
    _click(admin, "Buka kembali pengisian")
    assert "dibuka kembali" in _main(admin), _main(admin)
    _shot(admin, artifacts, "11_admin_buka")
    _open_lapor(psm, url)
    _type(psm, "L", codes[2], 99)
    assert "sudah ditutup" not in _main(psm) and _value(psm, "L", codes[2]) == "99"
    _open_lapor(psm, url)
    assert _value(psm, "L", codes[2]) == "99"

    # every step is in the audit log
    actions = [(who, what) for who, what, _ in _audit(lapor_server.db)]
    for step in [("admin1", "pengguna_massal"), (login, "sandi_ganti"), (login, "lapor_simpan"), (login, "lapor_dikirim"),
                 ("verif_palang", "lapor_dikembalikan"), ("verif_palang", "lapor_diverifikasi"), ("analis1", "lapor_disetujui"),
                 ("admin1", "lapor_diverifikasi"), ("admin1", "lapor_dikembalikan"), ("admin1", "lapor_atur"), ("admin1", "lapor_buka")]:
        assert step in actions or (step[1] == "pengguna_massal" and any(w == "admin1" and a.startswith("pengguna") for w, a in actions)), step
    assert [a for w, a in actions if w == login].count("lapor_dikirim") == 2
    for context in (psm_context, verif_context, ana_context, admin_context):
        context.close()


def _open_lapor(page, url: str) -> None:
    _open(page, f"{url}/lapor")
    _report_month(page)


def _report_month(page) -> None:
    """Pick REPORT when more than one month is open."""
    if page.locator(".st-key-lapor_bulan").count():
        _choose(page, "lapor_bulan", _month_name(REPORT))


def _month_name(periode: date) -> str:
    from common import fmt

    return fmt.bulan(periode)


def _angka(value: int) -> str:
    from common import fmt

    return fmt.angka(value)


def _number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key} input")
    box.scroll_into_view_if_needed()
    box.fill(str(value))
    box.press("Tab")
    _idle(page)


def _choose(page, key: str, text: str) -> None:
    box = page.locator(f".st-key-{key} input")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(text, delay=20)
    page.get_by_role("option", name=re.compile(re.escape(text))).first.wait_for(state="visible")
    page.keyboard.press("Enter")  # the first option left by the typed text
    _idle(page)


def _note_far_rows(page) -> None:
    """Rows whose value is far from the desa's history ask for a note before sending: give each one."""
    for _ in range(30):
        warning = page.locator("[class*='st-key-lapor_baris_']:has([data-testid='stAlertContentWarning'])")
        if not warning.count():
            return
        kode = re.search(r"st-key-lapor_baris_(\S+)", warning.first.get_attribute("class")).group(1)
        _type(page, "C", kode, "sesuai pendataan lapangan")


def _form_total(db, desa: str) -> int:
    from tests.conftest import open_snapshot

    con = open_snapshot(db)
    try:
        return int(con.execute("""select sum(v.jumlah) from laporan_nilai v join laporan l on l.id = v.laporan_id
                                  where l.kode_desa = ? and l.periode = ? and l.aktif""", [desa, REPORT]).fetchone()[0])
    finally:
        con.close()
