"""The web-report statuses of a month, for Kelengkapan and for marking counted reports not yet approved."""

from __future__ import annotations

from datetime import date

from lapor.model import Status


def statuses(store, periode: date, area: str = "") -> dict[str, Status]:
    """kode_desa → Status of every desa of `area` (a code prefix; '' = all) with a web report for `periode`.
    `dihitung`: the report counts in the dashboards now; `disetujui` tells a counted one that is not yet approved
    (setting 'count every sent report'), which the pages mark."""
    periode = periode.replace(day=1)
    with store.read() as con:
        rows = con.execute("""
            select s.kode_desa, s.status, s.versi, s.diubah,
                   s.batch_id is not null and exists (select 1 from laporan l where l.batch_id = s.batch_id and l.aktif)
            from lapor s where s.periode = ? and s.kode_desa like ? order by s.kode_desa""", [periode, area + "%"]).fetchall()
    return {r[0]: Status(r[0], periode, r[1], int(r[2]), r[3], bool(r[4])) for r in rows}
