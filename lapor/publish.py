"""One store, one history: a web report that counts becomes a report like an imported one.

Publishing writes the desa-month's values as a `laporan` with its `laporan_nilai` under an `impor_batch` of jenis
'web' (who, when and which status change in its keterangan, the batch id in the step), through the importer's own
`etl.write.load.write_reports`: an active report of that month (imported or web) is superseded, not deleted, the
differences are audited as the importer does (`ganti_laporan`), and the marts follow in the same transaction.
Withdrawing (a report given back, un-approved, or the count setting changed) is the importer's `rollback_batch`:
the web report leaves and whatever it replaced comes back. An import may in turn replace a web report (`--replace`),
and then wins: withdrawing the web report no longer touches `laporan`.

Which web reports count is the setting `lapor_hitung`: only approved ones, or every sent one (the dashboards mark
those not yet approved: `lapor.status`).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

from common import fmt
from etl.write.load import new_batch, rollback_batch, write_reports
from lapor.model import COUNT_APPROVED, DIKIRIM, DISETUJUI, DIVERIFIKASI, STATUS_LABEL
from lapor.read import desa_name, indicators, values
from store.schema import audit

WEB = "web"  # impor_batch.jenis of a published web report


def should_count(status: str, hitung: str) -> bool:
    """Whether a web report in `status` counts in the dashboards under the setting `hitung`."""
    if hitung == COUNT_APPROVED:
        return status == DISETUJUI
    return status in (DIKIRIM, DIVERIFIKASI, DISETUJUI)


def active_report(con, kode_desa: str, periode: date) -> dict | None:
    """The desa-month's active report (imported or web): id, batch, jenis, source and values {kode: jumlah}."""
    row = con.execute("""
        select l.id, l.batch_id, b.jenis, l.nama_berkas, l.diterima from laporan l join impor_batch b on b.id = l.batch_id
        where l.kode_desa = ? and l.periode = ? and l.aktif""", [kode_desa, periode]).fetchone()
    if row is None:
        return None
    numbers = dict(con.execute("select kode_indikator, jumlah from laporan_nilai where laporan_id = ?", [row[0]]).fetchall())
    return {"id": row[0], "batch": row[1], "jenis": row[2], "sumber": row[3], "diterima": row[4], "nilai": numbers}


def differences(con, kode_desa: str, periode: date, old: dict, new: dict) -> list[str]:
    """'Desa X, Indikator: 3 → 5' for every indicator whose Jumlah differs, in catalogue order (as the importer)."""
    name = desa_name(con, kode_desa)
    lines = []
    show = lambda v: "(kosong)" if v is None else fmt.angka(v)  # noqa: E731
    for kode, nama in indicators(con):
        before, after = old.get(kode), new.get(kode)
        if before != after:
            lines.append(f"{name}, {nama}: {show(before)} → {show(after)}")
    return lines


def publish(con, actor: str, kode_desa: str, periode: date, step: tuple[str, str], psm: str) -> int:
    """Write the desa-month's draft values as its report (a 'web' batch); returns the batch id."""
    entered = values(con, kode_desa, periode)
    codes = [k for k, _ in indicators(con) if k in entered]
    old = active_report(con, kode_desa, periode)
    label = f"Lapor Bulanan {desa_name(con, kode_desa)} {fmt.bulan(periode)}: {STATUS_LABEL[step[0]]} → {STATUS_LABEL[step[1]]} oleh {actor}"
    batch = new_batch(con, actor, WEB, label[:500])
    now = datetime.now()
    reports = pd.DataFrame({"kode_desa": [kode_desa], "periode": [periode], "nama_berkas": [f"Lapor Bulanan ({psm})"],
                            "sheet": [""], "sha256": [""], "nama_psm": [psm], "diterima": [now], "sintetis": [False]})
    numbers = {k: int(entered[k][0] or 0) + int(entered[k][1] or 0) for k in codes}
    frame = pd.DataFrame({"kode_desa": kode_desa, "periode": [periode] * len(codes), "kode_indikator": codes,
                          "laki_laki": pd.array([entered[k][0] for k in codes], dtype="Int64"),
                          "perempuan": pd.array([entered[k][1] for k in codes], dtype="Int64"),
                          "jumlah": pd.array([numbers[k] for k in codes], dtype="Int64"),
                          "baris": pd.array([None] * len(codes), dtype="Int64"), "kolom": [""] * len(codes)})
    write_reports(con, reports, frame, batch)
    con.execute("update lapor set batch_id = ? where kode_desa = ? and periode = ?", [batch, kode_desa, periode])
    target = f"{kode_desa} {periode:%Y-%m}"
    if old is not None:
        changes = differences(con, kode_desa, periode, old["nilai"], numbers)
        audit(con, actor, "ganti_laporan", target, json.dumps({"batch": batch, "diganti_batch": old["batch"], "jenis_lama": old["jenis"],
                                                               "perubahan": changes}, ensure_ascii=False))
    audit(con, actor, "lapor_terbit", target, json.dumps({"batch": batch, "dari": step[0], "ke": step[1]}))
    return batch


def withdraw(con, actor: str, kode_desa: str, periode: date, batch_id: int) -> dict | None:
    """Take a published web report out of the counts (the importer's rollback); clears the desa-month's batch.

    When a later import already replaced it, the counts stay as they are, but the web report leaves the chain of
    replacements: what it had replaced is now replaced by that import, so rolling the import back later restores
    that and not the withdrawn web report. None when a rollback already took it out."""
    con.execute("update lapor set batch_id = null where kode_desa = ? and periode = ?", [kode_desa, periode])
    row = con.execute("select status from impor_batch where id = ?", [batch_id]).fetchone()
    if row is None or row[0] != "aktif":
        return None
    later = con.execute("select distinct diganti_batch from laporan where batch_id = ? and not aktif", [batch_id]).fetchall()
    if not later:
        result = rollback_batch(con, batch_id, actor, web=True)
    else:
        undo = new_batch(con, actor, "rollback", f"menarik laporan web batch {batch_id} (sudah diganti batch {later[0][0]})")
        con.execute("update laporan set diganti_batch = ? where diganti_batch = ?", [later[0][0], batch_id])
        con.execute("update laporan set diganti_batch = ? where batch_id = ?", [undo, batch_id])
        con.execute("update impor_batch set status = 'dibatalkan' where id = ?", [batch_id])
        result = {"batch": undo, "dihapus": 0, "dipulihkan": 0}
    audit(con, actor, "lapor_tarik", f"{kode_desa} {periode:%Y-%m}", json.dumps({"batch": batch_id, **result}))
    return result


def sync(con, actor: str, kode_desa: str, periode: date, step: tuple[str, str], hitung: str, newest_wins: bool = False) -> int | None:
    """Publish or withdraw the desa-month as its new status (`step[1]`) and the setting require; returns the batch
    published or withdrawn (None when nothing changed). With `newest_wins` (a change of the setting, not of the
    report) a report imported after the web report was sent stays: the setting does not bring older numbers back."""
    row = con.execute("select batch_id, dikirim_oleh from lapor where kode_desa = ? and periode = ?", [kode_desa, periode]).fetchone()
    batch, psm = (row[0], row[1] or actor) if row else (None, actor)
    live = batch is not None and con.execute("select status from impor_batch where id = ?", [batch]).fetchone()[0] == "aktif"
    if should_count(step[1], hitung) and not live:
        if newest_wins and _imported_since_sent(con, kode_desa, periode):
            return None
        return publish(con, actor, kode_desa, periode, step, psm)
    if not should_count(step[1], hitung) and batch is not None:
        withdraw(con, actor, kode_desa, periode, batch)
        return batch
    return None


def sync_all(con, actor: str, hitung: str) -> int:
    """After the count setting changed: publish or withdraw every desa-month it concerns; returns how many changed."""
    rows = con.execute("select kode_desa, periode, status from lapor where status in (?, ?, ?) order by periode, kode_desa",
                       [DIKIRIM, DIVERIFIKASI, DISETUJUI]).fetchall()
    return sum(sync(con, actor, kode_desa, periode, (status, status), hitung, newest_wins=True) is not None
               for kode_desa, periode, status in rows)


def _imported_since_sent(con, kode_desa: str, periode: date) -> bool:
    """Whether the desa-month's active report is a file import received after its web report was last sent."""
    return con.execute("""select count(*) from laporan l join impor_batch b on b.id = l.batch_id join lapor w
                              on w.kode_desa = l.kode_desa and w.periode = l.periode
                          where l.kode_desa = ? and l.periode = ? and l.aktif and b.jenis <> 'web' and l.diterima > w.dikirim""",
                       [kode_desa, periode]).fetchone()[0] > 0
