"""The admin's in-app controls (issue 14, point 10): importing a desa boundary file and managing users on
Pengguna & Pengaturan, with the CLI's rules, audited; and no command line shown to anyone."""

from __future__ import annotations

import ast
import json

import pytest

from accounts import store as accounts
from common.errors import PMKSError
from dashboard.admin_view import check_user
from dashboard.wording import plain
from store import open_store
from tests.conftest import REPO, reading, table_fingerprint
from tests.test_access import EXPECTED, NAVIGATION, login, users  # noqa: F401 - `users` is a fixture

SOKO = "35.23.18"  # Kecamatan Soko


def small_boundary_file() -> tuple[bytes, list[str]]:
    """GeoJSON of three synthetic desa of one kecamatan and one feature whose code no desa has."""
    from tests.geography import synthetic_desa

    gdf = synthetic_desa()
    part = gdf[gdf["kode_kec"] == SOKO].head(3).copy()
    stray = part.head(1).copy()
    stray["kode_desa"] = "35.23.99.2999"
    stray["geometry"] = stray.geometry.translate(0.5, 0.5)
    import pandas as pd

    both = pd.concat([part, stray], ignore_index=True)
    return both.to_json().encode(), list(part["kode_desa"])


def on_settings(monkeypatch, db, user: str = "adm"):
    at = login(monkeypatch, db, user, page="pages/pengaturan.py")
    assert not at.exception, at.exception
    return at


def boundary_rows(db, codes) -> dict:
    with reading(db) as con:
        return dict(con.execute("select kode, sumber from batas_wilayah where kode in (select unnest(?))", [codes]).fetchall())


def audit_rows(db, action: str) -> list[tuple]:
    with reading(db) as con:
        return con.execute("select pengguna, objek, rincian from audit where aksi = ? order by waktu", [action]).fetchall()


def stored_users(db) -> dict:
    return {u["login"]: u for u in accounts.list_users(open_store(db))}


def test_admin_imports_a_boundary_file_after_a_preview(monkeypatch, users):  # noqa: F811
    demo_db = users
    data, codes = small_boundary_file()
    at = on_settings(monkeypatch, demo_db)
    before = table_fingerprint(demo_db)
    at.file_uploader(key="batas_berkas_0").set_value(("batas_soko.geojson", data, "application/geo+json")).run()
    assert not at.exception, at.exception
    preview = " ".join(s.value for s in at.success)
    assert "batas_soko.geojson" in preview and "3 dari 328 desa cocok" in preview, preview
    unmatched = [d.value for d in at.dataframe if "Kode/nama dalam berkas" in d.value.columns]
    assert unmatched and unmatched[0]["Kode/nama dalam berkas"].tolist() == ["35.23.99.2999"]
    assert table_fingerprint(demo_db) == before  # nothing is written before the confirmation
    assert at.button(key="batas_simpan").disabled
    at.checkbox(key="batas_yakin").check().run()
    at.button(key="batas_simpan").click().run()
    assert not at.exception, at.exception
    assert any("3 desa" in s.value and "disimpan" in s.value for s in at.success), [s.value for s in at.success]
    assert set(boundary_rows(demo_db, codes).values()) == {"berkas batas_soko.geojson"}
    assert boundary_rows(demo_db, [SOKO]) == {SOKO: "berkas batas_soko.geojson"}  # the kecamatan is dissolved again
    (who, what, details), = audit_rows(demo_db, "batas_wilayah")[-1:]
    assert (who, what) == ("adm", "berkas batas_soko.geojson") and json.loads(details)["desa"] == 3


@pytest.mark.parametrize("name, content", [("rusak.geojson", b"{ ini bukan GeoJSON"), ("peta.zip", b"PK\x03\x04 bukan zip"),
                                           ("kosong.geojson", b'{"type": "FeatureCollection", "features": []}')])
def test_a_bad_boundary_file_is_refused_naming_the_file_and_changes_nothing(monkeypatch, users, name, content):  # noqa: F811
    demo_db = users
    at = on_settings(monkeypatch, demo_db)
    before = table_fingerprint(demo_db)
    at.file_uploader(key="batas_berkas_0").set_value((name, content, "application/octet-stream")).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors and name in errors[0] and "Tidak ada yang diubah" in errors[0], errors
    assert not any(b.key == "batas_simpan" for b in at.button)
    assert table_fingerprint(demo_db) == before


def fill_user(at, login_name: str, role: str, kecamatan: str | None, password: str, repeat: str | None = None):
    at.text_input(key="akun_login").input(login_name)
    at.text_input(key="akun_nama").input(f"Uji {login_name}")
    at.selectbox(key="akun_peran").set_value(role)
    at.selectbox(key="akun_kecamatan").set_value(kecamatan)
    at.text_input(key="akun_sandi").input(password)
    at.text_input(key="akun_sandi2").input(password if repeat is None else repeat)
    return at.button(key="akun_simpan").click().run()


def test_admin_adds_then_removes_a_user(monkeypatch, users):  # noqa: F811
    demo_db = users
    at = on_settings(monkeypatch, demo_db)
    fill_user(at, "tksk.soko", "analis", SOKO, "sandi-baru-123", repeat="sandi-lain-123")
    assert any("tidak sama" in e.value for e in at.error) and "tksk.soko" not in stored_users(users)
    fill_user(at, "tksk.soko", "analis", SOKO, "sandi-baru-123")
    assert not at.exception, at.exception
    assert any("tksk.soko" in s.value and "ditambahkan" in s.value for s in at.success), [s.value for s in at.success]
    entry = stored_users(users)["tksk.soko"]
    assert (entry["peran"], entry["kecamatan"]) == ("analis", SOKO)
    assert accounts.check_login(open_store(users), "tksk.soko", "sandi-baru-123") is not None
    shown = next(d.value for d in at.dataframe if "Nama pengguna" in d.value.columns)
    assert "tksk.soko" in shown["Nama pengguna"].tolist()

    at.selectbox(key="akun_hapus").set_value("tksk.soko")
    at.checkbox(key="akun_yakin_hapus").check().run()
    at.button(key="akun_hapus_tombol").click().run()
    assert not at.exception, at.exception
    assert "tksk.soko" not in stored_users(users)
    assert any("dihapus" in s.value for s in at.success)
    assert [(w, o) for w, o, _ in audit_rows(demo_db, "pengguna_tambah") if w != "uji"] == [("adm", "tksk.soko")]  # 'uji': the fixture
    assert [(w, o) for w, o, _ in audit_rows(demo_db, "pengguna_hapus")] == [("adm", "tksk.soko")]


def test_the_last_admin_can_neither_remove_nor_demote_themselves(monkeypatch, users):  # noqa: F811
    demo_db = users
    at = on_settings(monkeypatch, demo_db)
    at.selectbox(key="akun_hapus").set_value("adm")
    at.checkbox(key="akun_yakin_hapus").check().run()
    at.button(key="akun_hapus_tombol").click().run()
    assert any("satu-satunya admin" in e.value for e in at.error), [e.value for e in at.error]
    assert "adm" in stored_users(users)
    fill_user(at, "adm", "staf", None, "sandi-baru-123")
    assert any("satu-satunya admin" in e.value for e in at.error)
    assert stored_users(users)["adm"]["peran"] == "admin"
    assert not audit_rows(demo_db, "pengguna_hapus") and not audit_rows(demo_db, "pengguna_ubah")


def test_user_rules_are_the_command_lines():
    names = {SOKO: "Soko"}
    with pytest.raises(PMKSError, match="tidak ada di basis data"):
        check_user("baru", "staf", "35.23.77", "sandi-baru-123", "sandi-baru-123", names)
    with pytest.raises(PMKSError, match="tidak sah"):
        check_user("nama dengan spasi", "staf", "", "sandi-baru-123", "sandi-baru-123", names)
    with pytest.raises(PMKSError, match="minimal 8"):
        check_user("baru", "staf", "", "pendek", "pendek", names)
    assert check_user(" baru ", "staf", SOKO, "sandi-baru-123", "sandi-baru-123", names) == "baru"


def test_the_first_user_is_an_admin_and_ends_demo_access(demo_db):
    store = open_store(demo_db)
    with pytest.raises(PMKSError, match="Pengguna pertama harus admin"):
        accounts.save_user(store, "baru", "Baru", "staf", "", "sandi-baru-123", "uji")
    assert accounts.gate(store).demo  # refused: nothing changed
    accounts.save_user(store, "kepala", "Kepala", "admin", "", "sandi-baru-123", "uji")
    assert accounts.gate(store) == accounts.Gate(demo=False, users=1)
    assert [r[1] for r in audit_rows(demo_db, "akses_demo")] == ["0"]


# --- no command line in front of anyone ------------------------------------------------------------


def shown_text(at) -> str:
    """Everything AppTest sees on the page: every element's content (messages, labels, help, options) and every
    table's cells."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


def missing_cells(at) -> list[str]:
    """'table column' of every shown table cell that is None, nan or NaT (Streamlit would draw the English word)."""
    found = []
    for d in at.dataframe:
        frame = d.value
        for col in frame.columns:
            if frame[col].isna().any():
                found.append(f"{list(frame.columns)[:2]} {col}")
    return found


@pytest.mark.parametrize("user", list(EXPECTED))
def test_no_page_shows_a_command_line_or_a_missing_cell_to_any_role(monkeypatch, users, user):  # noqa: F811
    at = login(monkeypatch, users, user)
    for page in EXPECTED[user]:
        at.switch_page(NAVIGATION[page][0]).run()
        assert not at.exception, (page, at.exception)
        text = shown_text(at)
        assert "python -m" not in text and "etl user" not in text, (user, page)
        assert not missing_cells(at), (user, page, missing_cells(at))


def test_no_command_line_without_users_or_without_a_warehouse(monkeypatch, tmp_path, empty_db):
    from tests.test_pages import run_app

    for db in (tmp_path / "belum_ada.duckdb", empty_db):
        for page in ("pages/ringkasan.py", "pages/peta.py", "pages/pengaturan.py", "pages/unggah.py"):
            at = run_app(monkeypatch, db, page)
            assert not at.exception
            assert "python -m" not in shown_text(at), (db.name, page)


def test_no_string_the_app_shows_names_a_command():
    """Every string constant of the app's code (pages, dashboard, app.py; not docstrings), the PDF brief included."""
    offenders = []
    for path in [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "dashboard").rglob("*.py")]:
        if path.name == "wording.py":  # the table that turns commands into words
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings and "python -m" in node.value:
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, offenders


def test_hints_of_the_shared_etl_messages_become_words():
    assert plain("Nama desa 'Menillo' mirip Menilo; simpan sebagai alias bila benar: python -m etl alias") == (
        "Nama desa 'Menillo' mirip Menilo; simpan sebagai alias bila benar: pilih desa yang benar di halaman Unggah Data "
        "(disimpan sebagai nama lain desa)")
    assert "python -m" not in plain("gunakan templat penduduk (python -m etl template --penduduk): kolom kode desa")
    assert "Pengguna & Pengaturan" in plain("gunakan templat penduduk (python -m etl template --penduduk): kolom kode desa")
    assert plain("Basis data belum disiapkan. Jalankan dulu: python -m etl init") == (
        "Basis data belum disiapkan. Minta pengelola server menyiapkan basis data")
    assert plain("lihat `python -m etl rahasia --x`.") == "Hubungi admin aplikasi."
