"""Bulk PSM accounts (issue 25): a CSV or XLSX previewed with every problem named by file, row and column in
Indonesian; one transaction creating the accounts with one-time passwords (PDF and XLSX), audited; the PSM must
choose a new password at first sign-in."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import openpyxl
import pytest

from accounts import bulk
from accounts import store as accounts
from common.errors import PMKSError
from etl.resolve import accounts as read_accounts
from store import open_store
from tests.conftest import PASSWORD, REPO, reading


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.fixture(params=["duckdb", "postgres"])
def wh(request):
    db = request.getfixturevalue("pg_demo" if request.param == "postgres" else "demo_db")
    store = open_store(db)
    accounts.save_user(store, "adm", "Admin Dinsos", "admin", "", PASSWORD, "uji")
    with store.read() as con:
        desa = con.execute("""select d.kode, d.nama, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk
                              where d.tingkat = 'desa' order by d.kode limit 3""").fetchall()
    return db, store, desa


def admin(store):
    return accounts.check_login(store, "adm", PASSWORD)


def test_a_good_file_creates_every_account_with_a_one_time_password(wh):
    db, store, desa = wh
    csv = ("Nama;Desa;Kecamatan;No HP\n"
           f"Siti Aminah;{desa[0][0]};;0812-3456-7890\n"
           f"Budi Santoso;{desa[1][1]};{desa[1][2]};+6281234567891\n"
           f"Siti Aminah;{desa[2][0]};;\n").encode()
    preview = read_accounts.preview_accounts(store, csv, "psm.csv")
    assert preview.ok, preview.problems
    assert [(c.login, c.kode_desa, c.telepon) for c in preview.candidates] == [
        ("siti.aminah", desa[0][0], "081234567890"), ("budi.santoso", desa[1][0], "+6281234567891"), ("siti.aminah2", desa[2][0], "")]
    passwords = bulk.create_accounts(store, admin(store), preview)
    assert len({p.sandi for p in passwords}) == 3 and all(len(p.sandi) == bulk.PASSWORD_LENGTH for p in passwords)
    first = accounts.check_login(store, "siti.aminah", passwords[0].sandi)
    assert first is not None and first.peran == "psm" and first.desa == desa[0][0] and first.ganti_sandi
    token = accounts.sign_in(store, first, "127.0.0.1")
    assert accounts.session_user(store, token).ganti_sandi  # the app asks for a new password before anything else
    with pytest.raises(PMKSError, match="berbeda"):
        accounts.change_own_password(store, first, passwords[0].sandi, passwords[0].sandi)
    with pytest.raises(PMKSError, match="tidak cocok"):
        accounts.change_own_password(store, first, "salah-sekali", "sandi-baru-siti")
    changed = accounts.change_own_password(store, first, passwords[0].sandi, "sandi-baru-siti")
    assert not changed.ganti_sandi and not accounts.session_user(store, token).ganti_sandi
    assert accounts.check_login(store, "siti.aminah", passwords[0].sandi) is None
    with reading(db) as con:
        rows = con.execute("select aksi, objek from audit where aksi in ('pengguna_tambah', 'pengguna_massal', 'sandi_ganti') and pengguna <> 'uji' order by id").fetchall()
    assert rows == [("pengguna_tambah", "siti.aminah"), ("pengguna_tambah", "budi.santoso"), ("pengguna_tambah", "siti.aminah2"),
                    ("pengguna_massal", "psm.csv"), ("sandi_ganti", "siti.aminah")]
    pdf = bulk.onetime_passwords_pdf(passwords)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    sheet = openpyxl.load_workbook(io.BytesIO(bulk.onetime_passwords_xlsx(passwords))).active
    table = list(sheet.values)
    assert table[0] == ("Nama", "Desa", "Kode desa", "Nama pengguna", "Kata sandi sementara")
    assert [(r[3], r[4]) for r in table[1:]] == [(p.login, p.sandi) for p in passwords]
    # the same file again: the logins are taken, new ones are chosen; a taken login typed in the file is a problem
    again = read_accounts.preview_accounts(store, csv, "psm.csv")
    assert [c.login for c in again.candidates] == ["siti.aminah3", "budi.santoso2", "siti.aminah4"]


def test_a_bad_file_names_every_problem_and_creates_nothing(wh):
    db, store, desa = wh
    raw = xlsx([["Daftar PSM Kabupaten Tuban"], ["Nama", "Desa", "Telepon", "Nama pengguna"],
                ["", desa[0][0], "", ""],
                ["Ani", "Desa Yang Tidak Ada", "", ""],
                ["Tono", desa[1][0], "12345", ""],
                ["Rina", desa[2][0], "", "adm"],
                ["Ani", "99.99.99.9999", "", ""],
                ["Dewi", desa[0][0], "", ""], ["Dewi", desa[0][0], "", ""]])
    preview = read_accounts.preview_accounts(store, raw, "psm.xlsx")
    assert not preview.ok
    assert "(mungkin: " in preview.problems[1]  # the gazetteer's nearest names, to help
    assert tuple(p.split(" (mungkin: ")[0].rstrip(".") + "." for p in preview.problems) == (
        "Berkas psm.xlsx, lembar 'Sheet', baris 3, kolom A (Nama): nama kosong.",
        "Berkas psm.xlsx, lembar 'Sheet', baris 4, kolom B (Desa): desa 'Desa Yang Tidak Ada' tidak ditemukan.",
        "Berkas psm.xlsx, lembar 'Sheet', baris 5, kolom C (Telepon): nomor '12345' tidak sah; tulis nomor HP seperti 0812-3456-7890.",
        "Berkas psm.xlsx, lembar 'Sheet', baris 6, kolom D (Nama pengguna): nama pengguna 'adm' sudah dipakai.",
        "Berkas psm.xlsx, lembar 'Sheet', baris 7, kolom B (Desa): desa '99.99.99.9999' tidak ditemukan.",
        f"Berkas psm.xlsx, lembar 'Sheet', baris 9: sama dengan baris 8 (Dewi, {preview.candidates[0].nama_desa}).",
    ), preview.problems
    with pytest.raises(PMKSError, match="Perbaiki dulu"):
        bulk.create_accounts(store, admin(store), preview)
    assert [u["login"] for u in accounts.list_users(store)] == ["adm"]


@pytest.mark.parametrize(("raw", "name", "expected"), [
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "psm.xlsx", "Berkas psm.xlsx: berkas bukan lembar kerja"),
    (b"Nama,Alamat\nSiti,Jalan\n", "psm.csv", "Berkas psm.csv: tidak ada baris judul dengan kolom 'Nama' dan 'Desa'"),
    (b"Nama,Desa\n", "psm.csv", "Berkas psm.csv: tidak ada baris PSM di bawah baris judul."),
])
def test_unreadable_files_are_named_in_indonesian(demo_db, raw, name, expected):
    preview = read_accounts.preview_accounts(open_store(demo_db), raw, name)
    assert not preview.ok and preview.problems[0].startswith(expected), preview.problems


def test_a_login_taken_between_preview_and_creation_refuses_the_whole_file(wh):
    db, store, desa = wh
    preview = read_accounts.preview_accounts(store, f"Nama,Desa\nSiti Aminah,{desa[0][0]}\nBudi,{desa[1][0]}\n".encode(), "psm.csv")
    assert preview.ok
    accounts.save_user(store, "budi", "Budi lain", "staf", "", PASSWORD, "adm")
    with pytest.raises(PMKSError, match="budi sudah dipakai"):
        bulk.create_accounts(store, admin(store), preview)
    assert {u["login"] for u in accounts.list_users(store)} == {"adm", "budi"}  # one transaction: nothing created
    staf = accounts.check_login(store, "budi", PASSWORD)
    with pytest.raises(PMKSError, match="tidak berhak"):
        bulk.create_accounts(store, staf, preview)


def test_the_cli_adds_a_psm_for_one_desa_and_refuses_an_unknown_one(demo_db):
    store = open_store(demo_db)
    accounts.save_user(store, "adm", "Admin Dinsos", "admin", "", PASSWORD, "uji")
    from store import close_all

    close_all()
    env = {**os.environ, "PMKS_DB": str(demo_db)}

    def add(*args):
        return subprocess.run([sys.executable, "-m", "etl", "user", "add", *args, "--password-stdin"], input="sandi-psm-123\n",
                              cwd=REPO, env=env, capture_output=True, text=True)

    refused = add("siti", "--role", "psm", "--desa", "35.23.18.9999")
    assert refused.returncode == 1 and "tidak ada di daftar wilayah" in refused.stderr
    assert add("siti", "--role", "psm").returncode == 1  # a psm needs its desa
    done = add("siti", "--role", "psm", "--desa", "35.23.18.2002")
    assert done.returncode == 0, done.stderr
    siti = accounts.check_login(open_store(demo_db), "siti", "sandi-psm-123")
    assert (siti.peran, siti.kecamatan, siti.desa) == ("psm", "35.23.18", "35.23.18.2002")
