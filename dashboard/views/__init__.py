"""Page models: one pure function per page, `build(con, filters, settings) -> <Page>View`.

A model runs the named queries of `dashboard.queries` on one connection, derives everything its page shows, applies
public-release masking (`dashboard.release`) and returns frames that are already labelled and formatted in
Indonesian (`dashboard.views.table`), figures and sentences. Pages only lay out widgets and draw the model; the PDF
brief and the exports build on the same models, so a number is computed once. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from common import fmt
from common.config import DEFAULT_DUE_DAY, DEFAULT_RELEASE_THRESHOLD
from dashboard.queries.base import Selection

MISSING = "—"


@dataclass(frozen=True)
class Filters:
    """What the user chose in the sidebar, once, typed."""

    periode: date
    kecamatan: str = ""  # '' = the whole warehouse
    desa: str = ""
    indikator: tuple[str, ...] = ()  # indicator codes, groups expanded; () = all
    indikator_label: str = "Semua indikator"
    area_nama: str | None = None  # 'Kec. Palang' or the desa's name; None for the whole warehouse
    ukuran: str = "jumlah"  # jumlah | per1000
    rilis: int | None = None  # the public release threshold when public release mode is on

    @property
    def area(self) -> str:
        return self.desa or self.kecamatan

    @property
    def sel(self) -> Selection:
        return Selection(area=self.area, indikator=self.indikator)

    @property
    def per1000(self) -> bool:
        return self.ukuran == "per1000"


@dataclass(frozen=True)
class Settings:
    """The deployment's settings that change what pages show (kept in the warehouse's `pengaturan` table)."""

    due_day: int = DEFAULT_DUE_DAY
    release_threshold: int = DEFAULT_RELEASE_THRESHOLD
    # What the asking user may read and do, filled in by the data layer from the rulebook (`accounts.rulebook`): a
    # model shows only `area` ('' = the whole warehouse) and only what `rights` allow; it never takes them from a page.
    area: str = ""
    rights: frozenset[str] = frozenset()


def completeness(received: int, total: int) -> str:
    """'301 dari 328 desa melapor (91,8%)': every count is shown with its completeness."""
    share = received / total if total else 0
    return f"{fmt.angka(received)} dari {fmt.angka(total)} desa melapor ({fmt.persen(share)})"


def table(df: pd.DataFrame, decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """A frame as the user reads it, identical in any browser language: the numeric columns (or those named in
    `decimals`, with their decimals) become Indonesian text ('1.234', '12,5'), missing values '—'. Sort before."""
    decimals = decimals if decimals is not None else {c: 0 for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}
    out = df.copy()
    for col, places in decimals.items():
        if col in out.columns:
            out[col] = [v if isinstance(v, str) else fmt.angka(v, places, empty=MISSING) for v in out[col]]
    for col in out.columns:
        if col not in decimals and (out[col].dtype == object or pd.api.types.is_string_dtype(out[col])):
            out[col] = [MISSING if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in out[col]]
    return out.reset_index(drop=True)


def mark_estimates(df: pd.DataFrame, label: str = "nama") -> pd.DataFrame:
    """Rates only where population is known; names of areas whose population is an estimate end in ' *'."""
    known = df[df["penduduk"].notna() & df["per_1000"].notna()].copy()
    known[label] = [f"{n} *" if bool(e) else n for n, e in zip(known[label], known["perkiraan"].fillna(False))]
    return known


def rate_notes(df: pd.DataFrame) -> str | None:
    """Which rates rest on estimated population and which areas have none, as one sentence."""
    notes = []
    if df["perkiraan"].fillna(False).astype(bool).any():
        notes.append("\\* penduduk perkiraan (bukan hasil sensus), sehingga laju per 1.000 juga perkiraan")
    known = df[df["penduduk"].notna()]
    if known["perkiraan"].fillna(False).astype(bool).nunique() > 1:  # estimates never mix silently with real figures
        notes.append("perhatian: laju berpenduduk nyata dan perkiraan (\\*) tampil bersama dan kurang sebanding")
    if "sumber_penduduk" in df and df["sumber_penduduk"].notna().any():
        notes.append("penduduk: " + "; ".join(sorted(set(df["sumber_penduduk"].dropna()))))
    missing = int((df["penduduk"].isna() & df["jumlah"].notna()).sum())
    if missing:
        notes.append(f"{fmt.angka(missing)} wilayah tanpa data penduduk tidak ditampilkan sebagai laju")
    return "; ".join(notes) + "." if notes else None


def trend_chart(raw: pd.DataFrame, public: int | None, title: str, height: int | None = None,
                steady: bool = True) -> tuple[go.Figure, str]:
    """The trend every page draws, from `queries.trend`: the total, the reports received per month as bars behind
    it, and (`steady`; not for one desa) the like-for-like line over the desa that reported in every month shown;
    masked for public release. Returns the figure and the sentence that reads it."""
    from dashboard import charts, queries, release

    tr = release.trend(raw, public, parts=("sebanding",))
    n = queries.always_reporting(raw)
    label = f"Desa yang selalu melapor ({fmt.angka(n)} desa)"
    fig = charts.line_trend(tr, "jumlah", title, height=height, steady="sebanding" if steady and n else None, steady_label=label)
    note = "Batang abu-abu: laporan desa yang diterima tiap bulan (sumbu kanan)."
    if steady and n:
        note += (f" Garis putus-putus: total dari {fmt.angka(n)} desa yang melapor di setiap bulan ini saja, agar naik-turun "
                 "jumlah desa pelapor tidak terbaca sebagai perubahan PMKS.")
    elif steady:
        note += " Tidak ada desa yang melapor di setiap bulan ini, sehingga garis sebanding tidak digambar."
    return fig, note
