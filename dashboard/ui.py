"""The Streamlit side of the dashboard: cached queries, shared filters in the URL, common notices."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import queries
from etl import fmt
from etl.config import DEFAULT_DUE_DAY, db_path
from etl.db import connect
from etl.errors import PMKSError
from dashboard.session import current_user, user_name  # noqa: F401 - pages call ui.current_user / ui.user_name

CACHE_TTL = 600


def _db_token(path: Path) -> tuple:
    """Changes whenever the warehouse file changes, so a cached result never outlives an import."""
    parts = []
    for p in (path, Path(f"{path}.wal")):
        try:
            s = p.stat()
            parts.append((s.st_mtime_ns, s.st_size))
        except FileNotFoundError:
            parts.append(None)
    return tuple(parts)


@st.cache_data(ttl=CACHE_TTL, max_entries=1000, show_spinner=False)
def _cached_query(path: str, token: tuple, scope: str, name: str, args: tuple):  # noqa: ARG001 - scope keys the cache
    con = connect(path, read_only=True, wait=20)
    try:
        return getattr(queries, name)(con, *args)
    finally:
        con.close()


def q(query, *args):
    """Run a query function of dashboard.queries (e.g. `q(queries.periods)`) on a short-lived read-only connection,
    cached. The cache key holds the user's kecamatan scope, so a result never crosses from one scope to another."""
    path = db_path()
    user = current_user()
    return _cached_query(str(path), _db_token(path), user.kecamatan if user else "-", query.__name__, args)


@st.cache_data(ttl=CACHE_TTL, max_entries=300, show_spinner=False)
def _cached_view(path: str, token: tuple, scope: str, name: str, _build, filters, settings, extra: tuple = ()):  # noqa: ARG001 - keys
    con = connect(path, read_only=True, wait=20)
    try:
        return _build(con, filters, settings, **dict(extra))
    finally:
        con.close()


def view(build, filters, **extra):
    """A page model (`dashboard.views.<page>.build`) for these filters, on one short-lived read-only connection,
    cached like `q` (scope and warehouse state in the key). Choices that belong to one page (weights, an area picked
    on the page) are passed as keyword arguments; they must be hashable (tuples, not dicts) and are part of the key."""
    from dashboard.views import Settings

    path = db_path()
    user = current_user()
    name = f"{build.__module__}.{build.__qualname__}"
    settings = Settings(due_day=due_day(), release_threshold=release_threshold())
    return _cached_view(str(path), _db_token(path), user.kecamatan if user else "-", name, build, filters, settings,
                        tuple(sorted(extra.items())))


def guard(page: str):
    """Stop a page the user may not open (every page calls this before it queries); returns the user."""
    user = current_user()
    if user is None or page not in user.pages():
        st.error("Anda tidak berhak membuka halaman ini.")
        st.stop()
    return user


def audit_action(action: str, obj: str, details: str | None = None) -> None:
    """Record who did what in the warehouse's audit table (a short write)."""
    from etl.db import audit

    try:
        write(lambda con: audit(con, user_name(), action, obj, details))
    except PMKSError:
        pass  # the action itself succeeded; a locked or missing warehouse must not turn it into an error


def require_data(reports: bool = True) -> dict:
    """Stop the page with a clear message when there is no warehouse (or, with `reports`, no report yet);
    show the demo banner."""
    path = db_path()
    if not path.exists():
        st.warning(f"Basis data belum ada ({path}). Siapkan dengan: `python -m etl init` lalu impor laporan.")
        st.stop()
    try:
        info = q(queries.warehouse_info)
    except PMKSError as exc:
        st.error(str(exc))
        st.stop()
    except Exception:  # an unmigrated or foreign file
        st.error(f"Berkas {path} bukan basis data Dasbor PMKS yang siap. Jalankan: `python -m etl init`.")
        st.stop()
    if info["sintetis"]:
        st.info("**DATA DEMO SINTETIS** — angka di dasbor ini dibuat acak untuk peragaan, bukan data PMKS sebenarnya.", icon=":material/science:")
    if reports and not info["laporan"]:
        st.warning("Belum ada laporan PSM di basis data. Unggah laporan di halaman **Unggah Data** atau dengan "
                   "`python -m etl import BERKAS`.")
        st.stop()
    return info


def sheet_reader():
    """The server's sandboxed spreadsheet readers: one small pool shared by every session (worker processes with
    memory and time limits that end themselves when idle), so closed browser sessions leave no worker behind."""
    return _reader_pool()


@st.cache_resource(show_spinner=False)
def _reader_pool():
    from etl.sandbox import ReaderPool

    return ReaderPool()


def write(action):
    """Run `action(con)` in one write transaction on the warehouse; Indonesian errors are shown, not raised."""
    from etl.db import transaction

    path = db_path()
    con = connect(path, wait=20)
    try:
        with transaction(con, path):
            return action(con)
    finally:
        con.close()


def release_threshold() -> int:
    """Public release mode hides counts below this (`python -m etl settings --release-threshold`, default 3)."""
    from etl.config import DEFAULT_RELEASE_THRESHOLD

    return int(q(queries.setting, "ambang_rilis") or DEFAULT_RELEASE_THRESHOLD)


def release_notice(threshold: int | None) -> None:
    """Say on the page that public release mode is on."""
    from dashboard import release

    if text := release.notice(threshold):
        st.caption(text)


@st.cache_data(ttl=CACHE_TTL, max_entries=100, show_spinner="Menyembunyikan nilai kecil…")
def suppressed_table(cells: pd.DataFrame, threshold: int, total_label: str = "Total") -> pd.DataFrame:
    """dashboard.release.table, cached (a desa x indicator table takes about a second)."""
    from dashboard import release

    return release.table(cells, threshold, total_label)


def due_day() -> int:
    """Day of the next month by which a report is on time: $PMKS_DUE_DAY, else `python -m etl settings --due-day`, else 10."""
    if os.environ.get("PMKS_DUE_DAY"):
        return int(os.environ["PMKS_DUE_DAY"])
    return int(q(queries.setting, "hari_batas_laporan") or DEFAULT_DUE_DAY)


def ensure_navigation() -> None:
    """Leave Streamlit's legacy `pages/` mode if a fresh server started on a sub-page URL.

    Streamlit runs a sub-page directly, without app.py, until the entry file has called st.navigation once;
    rerunning after clearing the legacy flag makes app.py (layout, navigation) run as it should.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_filters(page: str) -> tuple[dict, dict]:
    """Called at the top of every data page: stop with a message if there is nothing to show, else render the
    shared sidebar filters and return (warehouse info, filters).

    The filters are rendered by each page rather than by app.py because widgets in the entry file are not
    driven by AppTest; their values survive page switches through `_keep_filters` and live in the URL.
    """
    from dashboard.filters import sidebar_filters

    _, info = open_page(page)
    return info, sidebar_filters()


def open_page(page: str, reports: bool = True):
    """The start of every page: the app's navigation, the role check, the warehouse check; returns (user, info)."""
    ensure_navigation()
    user = guard(page)
    info = require_data(reports)
    if user.kecamatan and user.kecamatan not in set(q(queries.kecamatan_list)["kode"]):
        st.error(f"Wilayah akun Anda (kode {user.kecamatan}) tidak ada di basis data ini, sehingga tidak ada data yang "
                 "boleh ditampilkan. Minta admin memperbaiki kecamatan akun Anda.")
        st.stop()
    return user, info


def completeness(received: int, total: int) -> str:
    """'301 dari 328 desa melapor (91,8%)': every count is shown with its completeness."""
    share = received / total if total else 0
    return f"{fmt.angka(received)} dari {fmt.angka(total)} desa melapor ({fmt.persen(share)})"


def download_buttons(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and XLSX of a table exactly as shown."""
    from dashboard.export import to_csv_bytes, to_xlsx_bytes

    user = current_user()
    if user is None or not user.can_export:
        st.caption("Unduhan tabel tersedia untuk staf, analis dan admin.")
        return
    a, b, _ = st.columns([1, 1, 4])
    a.download_button("Unduh CSV", to_csv_bytes(df), f"{name}.csv", "text/csv", key=f"{key}_csv",
                      on_click=audit_action, args=("unduh", f"{name}.csv"))
    b.download_button("Unduh XLSX", to_xlsx_bytes(df), f"{name}.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                      on_click=audit_action, args=("unduh", f"{name}.xlsx"))


def brief_button(kode: str, periode: date, public: int | None, key: str) -> None:
    """Download the one-page PDF brief of a kecamatan or kabupaten; made on the server when clicked.

    The click does not rerun the page ("ignore"): a rerun would register the next run's generator under a new id
    and could drop this one before the browser fetches it. So the download is audited inside the generator, under
    the name of whoever saw the button."""
    from dashboard import brief
    from etl.db import audit

    user = current_user()
    if user is None or not user.can_export:  # leadership reads the dashboard; files leave the office via staff
        return
    path = db_path()
    today = date.today()
    name = brief.file_name(kode, periode)
    who = user_name()

    def make() -> bytes:  # runs when the button is clicked, on another thread: no st.* calls here
        con = connect(path, read_only=True, wait=20)
        try:
            pdf = brief.build(con, kode, periode, public, today)
        finally:
            con.close()
        try:
            write(lambda con: audit(con, who, "unduh", name, '{"rilis_publik": true}' if public else None))
        except PMKSError:
            pass  # the brief is made; a locked warehouse must not stop it
        return pdf

    st.download_button("Unduh ringkasan PDF (1 halaman)", make, name, "application/pdf", key=key,
                       icon=":material/picture_as_pdf:", on_click="ignore",
                       help="Satu halaman A4 untuk rapat: peta, angka utama, indikator terbesar, tren, desa prioritas "
                            "dan kelengkapan laporan; terbaca jelas bila dicetak hitam-putih.")


def mark_estimates(df: pd.DataFrame, label: str = "nama") -> pd.DataFrame:
    """Rates only where population is known; names of areas whose population is an estimate end in ' *'."""
    known = df[df["penduduk"].notna() & df["per_1000"].notna()].copy()
    known[label] = [f"{n} *" if bool(e) else n for n, e in zip(known[label], known["perkiraan"].fillna(False))]
    return known


def rate_notes(df: pd.DataFrame) -> None:
    """Say which rates rest on estimated population and which areas have none."""
    notes = []
    if df["perkiraan"].fillna(False).astype(bool).any():
        notes.append("\\* penduduk perkiraan (bukan hasil sensus), sehingga laju per 1.000 juga perkiraan")
    missing = int((df["penduduk"].isna() & df["jumlah"].notna()).sum())
    if missing:
        notes.append(f"{fmt.angka(missing)} wilayah tanpa data penduduk tidak ditampilkan sebagai laju")
    if notes:
        st.caption("; ".join(notes) + ".")


PRINT_CSS = """
<style>
table.pmks-tabel {border-collapse: collapse; width: 100%; font-size: 0.85rem;}
table.pmks-tabel th, table.pmks-tabel td {border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left;}
table.pmks-tabel td.angka, table.pmks-tabel th.angka {text-align: right;}
@media print {
  @page {size: A4 portrait; margin: 10mm;}
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stElementToolbar"], .stDownloadButton,
  [data-testid="stIFrame"], iframe, .stSelectbox, [data-testid="stSelectbox"] {display: none !important;}
  [data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 0 !important;}
  [data-testid="stAppViewContainer"], [data-testid="stMain"] {position: static !important; overflow: visible !important;}
  body {zoom: 0.72;}
  table.pmks-tabel {font-size: 9pt;}
  table.pmks-tabel th, table.pmks-tabel td {padding: 0 4px;}
  h1, h2 {margin: 0 0 4px 0 !important; padding: 0 !important;}
  [data-testid="stVerticalBlock"] {gap: 0.3rem !important;}
}
</style>
"""


def print_button(label: str) -> None:
    """A button that opens the browser's print dialog, and the CSS that makes the page one A4 sheet."""
    import streamlit.components.v1 as components

    st.markdown(PRINT_CSS, unsafe_allow_html=True)
    components.html(
        f"""<button onclick="window.parent.print()" style="font: 14px sans-serif; padding: 4px 12px; border: 1px solid #ccc;
        border-radius: 6px; background: white; cursor: pointer">{label}</button>""",
        height=40,
    )


def html_table(df: pd.DataFrame) -> str:
    """A static, printable HTML table (values escaped; numbers right-aligned)."""
    from html import escape

    numeric = {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}
    head = "".join(f'<th class="{"angka" if c in numeric else ""}">{escape(str(c))}</th>' for c in df.columns)
    rows = []
    for values in df.itertuples(index=False):
        cells = "".join(
            f'<td class="{"angka" if c in numeric or _looks_numeric(v) else ""}">{escape("–" if v is None or v != v else str(v))}</td>'
            for c, v in zip(df.columns, values)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="pmks-tabel"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _looks_numeric(value) -> bool:
    text = str(value).replace(".", "").replace(",", "")
    return text.isdigit()
