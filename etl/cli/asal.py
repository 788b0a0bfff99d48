"""`python -m etl asal`: where a number comes from (issue 26), the same answer as the app's panel, in Indonesian."""

from __future__ import annotations

import sys

import pandas as pd

from common import fmt
from common.errors import SystemProblem
from etl.cli.common import _warehouse


def cmd_asal(args) -> int:
    from dashboard.views import Settings
    from dashboard.views.asal import Question, build
    from etl.resolve.match import parse_code

    code = parse_code(args.desa or args.kecamatan or "")
    if code is None or code.count(".") != (3 if args.desa else 2):
        option = "--desa" if args.desa else "--kecamatan"
        raise SystemProblem(f"{option} '{args.desa or args.kecamatan}' bukan kode {'desa' if args.desa else 'kecamatan'}; "
                            f"tulis mis. {'35.23.18.2004' if args.desa else '35.23.18'}")
    indicators = tuple(c.strip().upper() for c in (args.indikator or "").split(",") if c.strip())
    with _warehouse(args) as (_, store), store.read() as con:
        known = {r[0] for r in con.execute("select kode from indikator").fetchall()}
        unknown = [c for c in indicators if c not in known]
        if unknown:
            raise SystemProblem(f"--indikator {', '.join(unknown)} tidak dikenal; lihat kodenya dengan: python -m etl indicators")
        view = build(con, Question(code, args.periode, indicators, "per1000" if args.per1000 else "jumlah"), Settings())
    print_answer(view)
    return 0 if not view.stop else 1


def print_answer(view, out=None) -> None:
    """The panel as text: the number and its parts, each value's cell and file, the history and the population."""
    write = lambda text="": print(text, file=out or sys.stdout)  # noqa: E731
    if view.stop:
        write(f"Gagal: {view.stop}")
        return
    write(f"Dari mana angka ini? {view.heading}")
    write(view.number.replace("**", ""))
    if view.missing:
        write(view.missing)
    for line in view.population:
        write(line)
    _section(write, "Rincian per " + view.level, view.parts_table)
    _section(write, "Nilai dan sumbernya (sel pada berkas asli)", view.cells_table)
    _section(write, "Riwayat laporan", view.history_table)
    if not view.files.empty:
        write()
        write("Berkas asli tersimpan:")
        for row in view.files.itertuples():
            write(f"  {row.nama_berkas} ({fmt.angka(row.ukuran)} bita, SHA-256 {row.sha256})")


def _section(write, title: str, frame: pd.DataFrame) -> None:
    if frame is None or frame.empty:
        return
    write()
    write(f"{title}:")
    write(frame.to_string(index=False))
