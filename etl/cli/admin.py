"""`python -m etl` commands of the daily work: import, template, alias, settings, history, rollback, users,
desa population."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from common import fmt
from common.config import DEFAULT_DUE_DAY, DEFAULT_RELEASE_THRESHOLD, db_path
from common.errors import PMKSError, SystemProblem
from etl.cli.common import _user, _warehouse
from store.schema import audit as write_audit
from store.schema import get_setting, set_setting


def cmd_import(args) -> int:
    from etl.cli.reports import run_import
    from etl.read.cells import parse_period
    from etl.resolve.match import parse_code

    kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
    if args.kecamatan and (kecamatan is None or kecamatan.count(".") != 2):
        raise SystemProblem(f"--kecamatan '{args.kecamatan}' bukan kode kecamatan; tulis mis. 35.23.18")
    periode = parse_period(args.periode) if args.periode else None
    if args.periode and periode is None:
        raise SystemProblem(f"--periode '{args.periode}' tidak terbaca; tulis mis. 2026-10")
    return run_import(args.files, db_path(args.db), dry_run=args.dry_run, replace=args.replace,
                      report_json=args.report_json, user=_user(), kecamatan=kecamatan, periode=periode)


def cmd_template(args) -> int:
    from etl.cli.template import template_for
    from etl.resolve.match import parse_code

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print("Gagal: --out harus berakhiran .xlsx", file=sys.stderr)
        return 2
    if not out.parent.exists():
        raise PMKSError(f"Folder {out.parent} tidak ada.")
    if args.penduduk:
        return _template_penduduk(args, out)
    with _warehouse(args) as (_, store), store.read() as con:
        kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
        if args.kecamatan:
            row = con.execute("select nama from wilayah where kode = ? and tingkat = 'kecamatan'", [kecamatan]).fetchone()
            if row is None:
                raise PMKSError(f"Kecamatan {args.kecamatan} tidak ada di basis data ini.")
        scope = f"Kecamatan {row[0]}" if args.kecamatan else con.execute("select nama from wilayah where kode = ?", [get_setting(con, "kode_wilayah")]).fetchone()[0]
        data = template_for(con, kecamatan)
        n_ind = con.execute("select count(*) from indikator where aktif").fetchone()[0]
    out.write_bytes(data)
    print(f"Formulir PSM ditulis ke {out} ({scope}, {n_ind} jenis PMKS).")
    return 0


def _template_penduduk(args, out: Path) -> int:
    from etl.cli.population import build_template
    from etl.resolve.match import parse_code

    with _warehouse(args) as (_, store), store.read() as con:
        kecamatan = parse_code(args.kecamatan) if args.kecamatan else None
        data = build_template(con, kecamatan)
        n = con.execute("select count(*) from wilayah where tingkat = 'desa' and starts_with(kode, ?)", [kecamatan or ""]).fetchone()[0]
    if n == 0:
        raise PMKSError(f"Tidak ada desa untuk kecamatan {args.kecamatan} di basis data ini.")
    out.write_bytes(data)
    print(f"Templat penduduk desa ditulis ke {out} ({fmt.angka(n)} desa).")
    return 0


def cmd_alias(args) -> int:
    from etl.resolve.match import normalize_label, normalize_name, parse_code
    from etl.write.load import save_desa_alias, save_indicator_alias

    if args.list or not args.name:
        if not args.list:
            print("Gagal: sebutkan NAMA bersama --desa atau --indicator, atau gunakan --list.", file=sys.stderr)
            return 2
        with _warehouse(args) as (_, store), store.read() as con:
            desa = con.execute("""
                select a.alias, a.kode_desa, d.nama, k.nama from alias_desa a join wilayah d on d.kode = a.kode_desa
                join wilayah k on k.kode = a.kode_kecamatan order by k.nama, a.alias
            """).fetchall()
            ind = con.execute("select a.alias, a.kode_indikator, i.nama from alias_indikator a join indikator i on i.kode = a.kode_indikator order by a.alias").fetchall()
        for alias, code, name, kec in desa:
            print(f"desa  '{alias}' (Kec. {kec}) → {name} [{code}]")
        for alias, code, name in ind:
            print(f"PMKS  '{alias}' → {name} [{code}]")
        print(f"{len(desa)} alias desa, {len(ind)} alias jenis PMKS.")
        return 0
    if not (args.desa or args.indicator):
        print("Gagal: sebutkan --desa KODE atau --indicator KODE.", file=sys.stderr)
        return 2
    with _warehouse(args) as (_, store), store.transaction() as con:
        if args.desa:
            code = parse_code(args.desa) or args.desa
            row = con.execute("select d.nama, d.kode_induk, k.nama from wilayah d join wilayah k on k.kode = d.kode_induk where d.kode = ? and d.tingkat = 'desa'", [code]).fetchone()
            if not row:
                raise PMKSError(f"Kode desa {args.desa} tidak ada di basis data ini.")
            alias = normalize_name(args.name)
            if not alias:
                raise PMKSError("NAMA kosong setelah dinormalkan.")
            save_desa_alias(con, row[1], alias, code, _user())
            message = f"Alias disimpan: '{args.name}' di Kecamatan {row[2]} berarti {row[0]} [{code}]."
        else:
            code = args.indicator.strip().upper()
            row = con.execute("select nama from indikator where kode = ?", [code]).fetchone()
            if not row:
                raise PMKSError(f"Kode jenis PMKS {args.indicator} tidak dikenal.")
            alias = normalize_label(args.name)
            save_indicator_alias(con, alias, code, _user())
            message = f"Alias disimpan: '{args.name}' berarti {row[0]} [{code}]."
        write_audit(con, _user(), "alias", args.name, None)
    print(message)
    return 0


def cmd_settings(args) -> int:
    if args.due_day is not None and not 1 <= args.due_day <= 28:
        print("Gagal: --due-day harus antara 1 dan 28.", file=sys.stderr)
        return 2
    if args.release_threshold is not None and not 2 <= args.release_threshold <= 20:
        print("Gagal: --release-threshold harus antara 2 dan 20.", file=sys.stderr)
        return 2
    if args.keep_files is not None and not 0 <= args.keep_files <= 600:
        print("Gagal: --keep-files harus antara 0 (selamanya) dan 600 bulan.", file=sys.stderr)
        return 2
    changes = {k: str(v) for k, v in (("hari_batas_laporan", args.due_day), ("ambang_rilis", args.release_threshold)) if v is not None}
    with _warehouse(args) as (_, store):
        if changes:
            with store.transaction() as con:
                for key, value in changes.items():
                    set_setting(con, key, value)
                    write_audit(con, _user(), "pengaturan", f"{key}={value}", None)
        if args.keep_files is not None:
            from etl.write.kept import set_retention

            with store.transaction() as con:
                removed = set_retention(con, args.keep_files, _user())
            if removed:
                print(f"{fmt.angka(removed)} berkas asli melewati masa simpan dan dihapus (tercatat di audit).")
        if args.demo_access:
            from accounts.store import set_demo_access

            set_demo_access(store, args.demo_access == "on", _user())
        with store.read() as con:
            day = get_setting(con, "hari_batas_laporan") or f"{DEFAULT_DUE_DAY} (bawaan)"
            threshold = get_setting(con, "ambang_rilis") or f"{DEFAULT_RELEASE_THRESHOLD} (bawaan)"
            demo = get_setting(con, "akses_demo") == "1"
            keep = get_setting(con, "simpan_berkas_bulan") or "0"
    print(f"Batas laporan: tanggal {day} bulan berikutnya (variabel PMKS_DUE_DAY, bila diisi, didahulukan).")
    print(f"Mode rilis publik: jumlah di bawah {threshold} disembunyikan.")
    print("Berkas asli yang diimpor disimpan " + ("selamanya." if keep == "0" else f"{keep} bulan."))
    print("Akses demo: " + ("MENYALA — aplikasi terbuka tanpa login bagi siapa pun (hanya untuk basis data demo)." if demo
                             else "mati — setiap orang masuk dengan akunnya."))
    return 0


def cmd_rollback(args) -> int:
    from etl.write.load import rollback_batch

    result = _rollback(args, rollback_batch)
    print(f"Batch {args.batch} dibatalkan (batch pembatalan {result['batch']}): {fmt.angka(result['dihapus'])} laporan dicabut, "
          f"{fmt.angka(result['dipulihkan'])} laporan lama dipulihkan.")
    return 0


def _rollback(args, undo) -> dict:
    """Undo batch `args.batch` with `undo(con, batch, user)` (reports or population) in one audited transaction."""
    with _warehouse(args) as (_, store), store.transaction() as con:
        result = undo(con, args.batch, _user())
        write_audit(con, _user(), "rollback", f"batch {args.batch}", json.dumps(result))
    return result


def cmd_history(args) -> int:
    with _warehouse(args) as (_, store), store.read() as con:
        rows = con.execute("""
            select b.id, b.waktu, b.pengguna, b.jenis, b.status, count(distinct f.sha256), coalesce(sum(f.jumlah_laporan), 0), b.keterangan
            from impor_batch b left join berkas_impor f on f.batch_id = b.id
            group by b.id, b.waktu, b.pengguna, b.jenis, b.status, b.keterangan order by b.id
        """).fetchall()
    for bid, waktu, user, jenis, status, n_files, n_reports, note in rows:
        print(f"{bid:>5}  {fmt.tanggal(waktu.date())} {waktu:%H:%M}  {user:<12} {jenis:<9} {status:<11} {n_files:>3} berkas {fmt.angka(n_reports):>6} laporan  {note or ''}")
    print(f"{len(rows)} batch.")
    return 0


def cmd_user(args) -> int:
    import getpass

    from accounts import store as accounts
    from accounts.users import check_new_password, clean_login

    with _warehouse(args) as (path, store):
        accounts.import_legacy_file(store, _user())
        users = {u["login"]: u for u in accounts.list_users(store)}
        if args.action == "list":
            for login, entry in users.items():
                where = _kecamatan_label(entry["kecamatan"], store) if entry["kecamatan"] else "semua kecamatan"
                print(f"{login:<16} {entry['peran']:<9} {where:<28} {entry['nama']}")
            print(f"{len(users)} pengguna di {path}." if users else f"Belum ada pengguna di {path}.")
            return 0
        if not args.login or not args.login.strip():
            print("Gagal: sebutkan NAMA_PENGGUNA.", file=sys.stderr)
            return 2
        login = clean_login(args.login)
        if args.action == "remove":
            accounts.remove_user(store, login, _user())
            print(f"Pengguna {login} dihapus; semua sesinya berakhir.")
            return 0
        if not args.role:
            print("Gagal: sebutkan --role (pimpinan, staf, analis, admin, psm atau verifikator).", file=sys.stderr)
            return 2
        kecamatan = _known_kecamatan(args.kecamatan, store) if args.kecamatan else ""
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Kata sandi: ")
        check_new_password(password)
        login, existed = accounts.save_user(store, login, args.name or login, args.role, kecamatan, password, _user(),
                                            desa=(args.desa or "").strip())
        where = f", {_kecamatan_label(kecamatan, store)}" if kecamatan else ""
    print(f"Pengguna {login} ({args.role}{where}) disimpan di {path}." + (" Sesi lamanya berakhir." if existed else ""))
    return 0


def _kecamatan_label(code: str, store) -> str:
    """'Kec. Palang (35.23.18)': the kecamatan's name from the warehouse, beside its code."""
    with store.read() as con:
        row = con.execute("select nama from wilayah where kode = ?", [code]).fetchone()
    return f"Kec. {row[0]} ({code})" if row else f"kecamatan {code}"


def _known_kecamatan(text: str, store) -> str:
    """A kecamatan code of the warehouse."""
    from etl.resolve.match import parse_code

    code = parse_code(text) or ""
    if code.count(".") != 2:
        raise PMKSError(f"Kode kecamatan '{text}' tidak sah (mis. 35.23.18).")
    with store.read() as con:
        row = con.execute("select nama from wilayah where kode = ? and tingkat = 'kecamatan'", [code]).fetchone()
    if row is None:
        raise PMKSError(f"Kecamatan {code} tidak ada di basis data {store.path}. Lihat kode kecamatan dengan: python -m etl status")
    return code


def cmd_penduduk(args) -> int:
    from etl.cli import population as penduduk_cli
    from etl.write.population import rollback

    path = db_path(args.db)
    if args.penduduk_action == "import":
        return penduduk_cli.run_import(args.file, path, sumber=args.sumber, tanggal=args.tanggal, dry_run=args.dry_run,
                                       replace=args.replace, user=_user())
    result = _rollback(args, rollback)
    print(f"Batch penduduk {args.batch} dibatalkan (batch pembatalan {result['batch']}): {fmt.angka(result['dihapus'])} angka desa dicabut, "
          f"{fmt.angka(result['dipulihkan'])} angka lama dipulihkan.")
    return 0

