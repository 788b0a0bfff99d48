"""The records of Lapor Bulanan: what a form, a row, a step, a queue item and the settings are (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

BELUM, DRAF, DIKIRIM, DIKEMBALIKAN, DIVERIFIKASI, DISETUJUI = "belum", "draf", "dikirim", "dikembalikan", "diverifikasi", "disetujui"
STATUSES = (DRAF, DIKIRIM, DIKEMBALIKAN, DIVERIFIKASI, DISETUJUI)  # plus BELUM = nothing entered yet
STATUS_LABEL = {BELUM: "Belum diisi", DRAF: "Draf", DIKIRIM: "Dikirim", DIKEMBALIKAN: "Dikembalikan",
                DIVERIFIKASI: "Diverifikasi", DISETUJUI: "Disetujui"}
# the setting `lapor_hitung`: what the dashboards count of the web reports
COUNT_APPROVED, COUNT_SENT = "disetujui", "dikirim"


@dataclass(frozen=True)
class Row:
    """One indicator of a desa-month form. `riwayat` is what the importer's jump rule needs: (months of history,
    median, MAD) of the desa's last 24 months of this indicator, or None without history; `jauh` says whether the
    current Jumlah lies far from it (then a note is needed before sending)."""

    kode_indikator: str
    nama: str
    laki_laki: int | None
    perempuan: int | None
    catatan: str
    riwayat: tuple[int, float, float] | None = None

    @property
    def jumlah(self) -> int | None:
        """L + P, None while either is empty."""
        return None if self.laki_laki is None or self.perempuan is None else self.laki_laki + self.perempuan

    @property
    def median(self) -> float | None:
        return None if self.riwayat is None else self.riwayat[1]

    @property
    def jauh(self) -> bool:
        if self.riwayat is None or self.jumlah is None:
            return False
        from etl.check.rules import is_jump

        n, median, mad = self.riwayat
        return is_jump(self.jumlah, n, median, mad)


@dataclass(frozen=True)
class Step:
    """One status change of a desa-month: from, to, who, when, comment."""

    dari: str
    ke: str
    oleh: str
    waktu: datetime
    komentar: str = ""


@dataclass(frozen=True)
class Issue:
    """A problem of a form: `blocking` ones stop sending; the others ask for a note on the row (`kode_indikator`)."""

    kode_indikator: str
    message: str  # Indonesian
    blocking: bool = True


@dataclass(frozen=True)
class Form:
    """A desa-month as the PSM or verifikator sees it. `versi` is the optimistic concurrency token every write
    passes back. `terbuka`: open for entry by the PSM now; `tutup`: the last day of entry (due day + lock days, or
    an admin's exception)."""

    kode_desa: str
    nama_desa: str
    periode: date
    status: str
    versi: int
    rows: tuple[Row, ...]
    nihil: bool
    komentar: str  # the verifikator's latest return comment ('' when none)
    terbuka: bool
    tutup: date
    langkah: tuple[Step, ...] = ()
    diubah_oleh: str = ""  # who saved last
    laporan_id: int | None = None  # the report in `laporan` once sent

    @property
    def editable(self) -> bool:
        """Whether values may still change (a draft or a returned report)."""
        return self.status in (BELUM, DRAF, DIKEMBALIKAN)


@dataclass(frozen=True)
class QueueItem:
    """A desa-month waiting for someone: the verifikator (dikirim) or Dinsos (diverifikasi)."""

    kode_desa: str
    nama_desa: str
    nama_kecamatan: str
    periode: date
    status: str
    versi: int
    dikirim: datetime | None
    oleh: str  # who sent it
    catatan: int = 0  # how many rows carry a note


@dataclass(frozen=True)
class Status:
    """The web-report status of one desa-month, for Kelengkapan."""

    kode_desa: str
    periode: date
    status: str
    versi: int
    diubah: datetime | None
    dihitung: bool = False  # its report counts in the dashboards now

    @property
    def ditandai(self) -> bool:
        """Counted but not yet approved: the pages mark it (setting 'count every sent report')."""
        return self.dihitung and self.status != DISETUJUI


@dataclass(frozen=True)
class LaporSettings:
    """`hari_kunci`: days after the due day until entry closes; `hitung`: COUNT_APPROVED (dashboards count only
    approved web reports) or COUNT_SENT (every sent one, marked as not yet approved); `hari_tempo`: the due day."""

    hari_tempo: int
    hari_kunci: int
    hitung: str = COUNT_APPROVED
