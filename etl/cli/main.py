"""`python -m etl`: the command line of the warehouse. Options in English, messages in Bahasa Indonesia.

Exit codes: 0 success, 1 rejected input, 2 usage or system error.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime

from common.config import DEFAULT_KABUPATEN
from common.errors import PMKSError, os_reason

_TRANSLATIONS = {
    "usage: ": "penggunaan: ",
    "options": "opsi",
    "positional arguments": "argumen",
    "the following arguments are required: %s": "argumen wajib belum diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "perlu satu nilai",
    "invalid %(type)s value: %(value)r": "nilai tidak sah: %(value)r",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
}
from etl.cli.admin import (  # noqa: E402 - after argparse is translated
    cmd_alias,
    cmd_history,
    cmd_import,
    cmd_penduduk,
    cmd_rollback,
    cmd_settings,
    cmd_template,
    cmd_user,
)
from etl.cli.asal import cmd_asal  # noqa: E402
from etl.cli.warehouse import cmd_boundaries, cmd_demo, cmd_indicators, cmd_init, cmd_population, cmd_status, cmd_to_postgres  # noqa: E402

argparse._ = lambda text: _TRANSLATIONS.get(text, text)  # type: ignore[attr-defined]  # argparse looks its texts up through this name; its stub omits it


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bulan dalam bentuk TTTT-BB (mis. 2026-10)") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bukan bilangan bulat") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' harus ≥ 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `python -m etl`. Long because it is a declaration: one add_argument per option."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="berkas basis data (bawaan: $PMKS_DB atau data/pmks.duckdb)")
    common.add_argument("--database-url", metavar="URL", help="PostgreSQL bersama, mis. postgresql://pmks@db-server/pmks "
                        "(bawaan: $PMKS_DATABASE_URL; tanpa keduanya: berkas DuckDB)")
    parser = argparse.ArgumentParser(prog="python -m etl", description="ETL dan gudang data Dasbor PMKS.")
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", title="perintah")
    sub.required = True

    p = sub.add_parser("to-postgres", parents=[common], help="salin basis data DuckDB ini (--db) ke PostgreSQL yang masih kosong")
    p.add_argument("target", metavar="URL", help="PostgreSQL tujuan, mis. postgresql://pmks@db-server/pmks")

    p = sub.add_parser("init", parents=[common], help="buat/perbarui basis data: skema, wilayah, indikator, penduduk")
    p.add_argument("--kabupaten", default=DEFAULT_KABUPATEN, metavar="KODE", help="kode Kemendagri kabupaten/kota atau provinsi (bawaan 35.23 Tuban)")

    p = sub.add_parser("demo", parents=[common], help="isi basis data dengan riwayat PMKS sintetis untuk demo")
    p.add_argument("--seed", type=int, default=42, help="benih acak (bawaan 42)")
    p.add_argument("--months", type=_positive, default=24, help="jumlah bulan (bawaan 24)")
    p.add_argument("--until", type=_month, metavar="TTTT-BB", help="bulan terakhir (bawaan: bulan lengkap terakhir)")

    p = sub.add_parser("boundaries", parents=[common], help="impor batas desa dari berkas GIS atau unduh dari sumber publik")
    p.add_argument("file", nargs="?", metavar="BERKAS", help="GeoJSON, GeoPackage, Shapefile atau Shapefile dalam .zip")
    p.add_argument("--download", action="store_true", help="unduh dari cahyadsn/wilayah_boundaries (commit terkunci, dicek SHA-256)")
    p.add_argument("--shipped", action="store_true", help="pasang batas desa bawaan aplikasi (data/, tanpa internet; Kabupaten Tuban)")
    p.add_argument("--if-missing", action="store_true",
                   help="lengkapi desa yang belum berbatas: unduh, atau batas bawaan bila unduhan tidak dapat dilakukan")
    p.add_argument("--source", metavar="URL_ATAU_FOLDER", help="lokasi sumber pengganti untuk --download / --if-missing")
    p.add_argument("--sha256", help="checksum yang diharapkan untuk berkas unduhan")

    p = sub.add_parser("population", parents=[common], help="impor data penduduk (CSV: kode_wilayah, tahun, jumlah, sumber)")
    p.add_argument("file", nargs="?", metavar="BERKAS", help="berkas CSV (bawaan: data sensus yang dibawa proyek)")

    p = sub.add_parser("indicators", parents=[common], help="lihat indikator dan atur yang dipantau")
    p.add_argument("--activate", metavar="KODE,...", help="aktifkan indikator (kode dipisah koma)")
    p.add_argument("--deactivate", metavar="KODE,...", help="nonaktifkan indikator (kode dipisah koma)")

    sub.add_parser("status", parents=[common], help="ringkasan isi basis data")

    p = sub.add_parser("settings", parents=[common], help="lihat dan ubah pengaturan (mis. batas hari laporan)")
    p.add_argument("--due-day", type=int, metavar="HARI", help="laporan bulan B tepat waktu bila diterima paling lambat tanggal HARI bulan B+1 (1–28)")
    p.add_argument("--release-threshold", type=int, metavar="N", help="mode rilis publik: jumlah 1 s.d. N-1 ditampilkan sebagai <N (2–20, bawaan 3)")
    p.add_argument("--demo-access", choices=["on", "off"], help="akses demo: aplikasi terbuka tanpa login (hanya untuk basis data demo)")
    p.add_argument("--keep-files", type=int, metavar="BULAN", help="simpan berkas asli yang diimpor BULAN bulan (0 = selamanya, bawaan)")

    p = sub.add_parser("import", parents=[common], help="impor laporan PSM (.xlsx, .xls, .ods, .csv)")
    p.add_argument("files", nargs="+", metavar="BERKAS", help="satu atau beberapa berkas laporan")
    p.add_argument("--dry-run", action="store_true", help="periksa saja; tidak ada yang disimpan")
    p.add_argument("--replace", action="store_true", help="ganti laporan desa × bulan yang sudah tersimpan (perubahan dicatat)")
    p.add_argument("--report-json", metavar="PATH", help="tulis hasil pemeriksaan sebagai JSON ke PATH")
    p.add_argument("--kecamatan", metavar="KODE", help="kecamatan (mis. 35.23.18) bagi berkas yang tidak menyebutnya")
    p.add_argument("--periode", metavar="TAHUN-BULAN", help="bulan laporan (mis. 2026-10) bagi berkas yang tidak menyebutnya")

    p = sub.add_parser("rollback", parents=[common], help="batalkan satu batch impor: laporan yang diganti dipulihkan")
    p.add_argument("batch", type=_positive, metavar="BATCH", help="nomor batch impor (lihat: python -m etl history)")

    sub.add_parser("history", parents=[common], help="riwayat batch impor")

    p = sub.add_parser("user", parents=[common], help="kelola pengguna aplikasi (disimpan di basis data)")
    p.add_argument("action", choices=["add", "remove", "list"], metavar="add|remove|list")
    p.add_argument("login", nargs="?", metavar="NAMA_PENGGUNA")
    p.add_argument("--role", choices=["pimpinan", "staf", "analis", "admin", "psm", "verifikator"], help="peran pengguna")
    p.add_argument("--kecamatan", metavar="KODE", help="batasi pada satu kecamatan (mis. 35.23.18)")
    p.add_argument("--desa", metavar="KODE", help="desa seorang PSM (mis. 35.23.18.2001)")
    p.add_argument("--name", metavar="NAMA", help="nama lengkap")
    p.add_argument("--password-stdin", action="store_true", help="baca kata sandi dari stdin (bukan prompt)")

    _penduduk_parser(sub, common)

    p = sub.add_parser("asal", parents=[common], help="dari mana angka ini: laporan, berkas, sel, batch dan riwayat di balik angka")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--desa", metavar="KODE", help="kode desa (mis. 35.23.18.2004)")
    where.add_argument("--kecamatan", metavar="KODE", help="kode kecamatan (mis. 35.23.18): rincian per desa")
    p.add_argument("--periode", required=True, type=_month, metavar="TTTT-BB", help="bulan laporan (mis. 2026-10)")
    p.add_argument("--indikator", metavar="KODE,...", help="jenis PMKS (kode dipisah koma; bawaan: semua yang dipantau)")
    p.add_argument("--per1000", action="store_true", help="tampilkan juga laju per 1.000 penduduk dan sumber angka penduduknya")

    p = sub.add_parser("template", parents=[common], help="tulis formulir resmi PSM (.xlsx) dengan daftar pilihan")
    p.add_argument("--penduduk", action="store_true", help="tulis templat penduduk desa kosong (kode, kecamatan, desa, L, P, Jumlah)")
    p.add_argument("--out", required=True, metavar="BERKAS.xlsx", help="berkas keluaran")
    p.add_argument("--kecamatan", metavar="KODE", help="batasi daftar desa pada satu kecamatan (kode Kemendagri, mis. 35.23.18)")

    p = sub.add_parser("alias", parents=[common], help="simpan nama lain desa atau jenis PMKS untuk impor berikutnya")
    p.add_argument("name", nargs="?", metavar="NAMA", help="nama sebagaimana tertulis di laporan")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--desa", metavar="KODE", help="kode desa yang dimaksud (mis. 35.23.18.2004)")
    target.add_argument("--indicator", metavar="KODE", help="kode jenis PMKS yang dimaksud (mis. FM)")
    p.add_argument("--list", action="store_true", help="tampilkan alias yang tersimpan")
    return parser


def _penduduk_parser(sub, common) -> None:
    p = sub.add_parser("penduduk", help="impor penduduk desa dari berkas Dukcapil/BPS/profil desa, atau batalkan impornya")
    actions = p.add_subparsers(dest="penduduk_action", metavar="import|rollback", title="tindakan")
    actions.required = True
    a = actions.add_parser("import", parents=[common], help="impor satu berkas penduduk desa (.xlsx, .xls, .ods, .csv)")
    a.add_argument("file", metavar="BERKAS")
    a.add_argument("--sumber", required=True, choices=["dukcapil", "bps", "desa", "lainnya"], help="asal data")
    a.add_argument("--tanggal", required=True, metavar="TTTT[-S1|-S2]", help="keadaan data: tahun (mis. 2025) atau semester (mis. 2025-S2)")
    a.add_argument("--dry-run", action="store_true", help="periksa saja; tidak ada yang disimpan")
    a.add_argument("--replace", action="store_true", help="ganti angka desa yang sudah tersimpan untuk tanggal yang sama (perubahan dicatat)")
    a = actions.add_parser("rollback", parents=[common], help="batalkan satu batch impor penduduk; angka yang digantinya dipulihkan")
    a.add_argument("batch", type=_positive, metavar="BATCH")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help
        return int(exc.code or 0)
    if getattr(args, "database_url", None):
        args.db = args.database_url  # common.config.db_path reads a postgresql:// URL as the PostgreSQL store
    try:
        return COMMANDS[args.command](args)
    except PMKSError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Dibatalkan.", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"Gagal: berkas{where} tidak dapat dibaca atau ditulis ({os_reason(exc)}).", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: short message for the user, traceback only when debugging
        if os.environ.get("PMKS_DEBUG"):
            raise
        print(f"Terjadi kesalahan tak terduga ({type(exc).__name__}: {exc}). Jalankan dengan PMKS_DEBUG=1 untuk rincian.", file=sys.stderr)
        return 2


COMMANDS = {
    "user": cmd_user,
    "rollback": cmd_rollback,
    "history": cmd_history,
    "settings": cmd_settings,
    "import": cmd_import,
    "template": cmd_template,
    "alias": cmd_alias,
    "init": cmd_init,
    "demo": cmd_demo,
    "boundaries": cmd_boundaries,
    "population": cmd_population,
    "penduduk": cmd_penduduk,
    "indicators": cmd_indicators,
    "status": cmd_status,
    "to-postgres": cmd_to_postgres,
    "asal": cmd_asal,
}
