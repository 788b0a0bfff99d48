"""The Streamlit side of the dashboard: cached queries, shared filters in the URL, common notices."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.queries import Selection
from etl import fmt
from etl.config import DEFAULT_DUE_DAY, db_path
from etl.db import connect
from etl.errors import PMKSError

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


def q(name: str, *args):
    """Run a named query from dashboard.queries on a short-lived read-only connection, cached.

    The cache key holds the user's kecamatan scope, so a result never crosses from one scope to another."""
    path = db_path()
    user = current_user()
    return _cached_query(str(path), _db_token(path), user.kecamatan if user else "-", name, args)


# --- users, roles and scope ------------------------------------------------------------------------

@st.cache_data(ttl=5, show_spinner=False)
def _users(path: str, mtime: float | None) -> dict:  # noqa: ARG001 - mtime keys the cache
    from dashboard import auth

    return auth.load_users(Path(path))


def users() -> dict:
    from dashboard import auth

    path = auth.users_file()
    return _users(str(path), path.stat().st_mtime if path.exists() else None)


def current_user():
    """The logged-in User, auth.DEMO when the deployment has no users, None when a login is needed."""
    from dashboard import auth

    known = users()
    if not known:
        return auth.DEMO
    login = st.session_state.get("pengguna_login")
    if not login and not st.session_state.get("_cookie_checked"):
        # A reload starts a new session: the browser's signed cookie says who it was. Only at the start of a
        # session (the cookies are those of the page load), so that signing out holds.
        import time

        st.session_state["_cookie_checked"] = True
        login = auth.login_from_token(st.context.cookies.get(auth.COOKIE), known, time.time())
        if login:
            st.session_state["pengguna_login"] = login
    entry = known.get(login) if login else None
    if entry is None:
        return None
    return auth.User(login, entry.get("nama", login), entry["peran"], entry.get("kecamatan", ""))


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
        info = q("warehouse_info")
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


def user_name() -> str:
    """Who is acting, for the audit: the logged-in user when the deployment has logins, else the server's user."""
    return st.session_state.get("pengguna_login") or os.environ.get("PMKS_USER") or os.environ.get("USER") or "aplikasi"


def sheet_reader():
    """This session's sandboxed spreadsheet reader (a worker process with memory and time limits)."""
    from etl.sandbox import SheetReader

    if "_sheet_reader" not in st.session_state:
        st.session_state["_sheet_reader"] = SheetReader()
    return st.session_state["_sheet_reader"]


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

    return int(q("setting", "ambang_rilis") or DEFAULT_RELEASE_THRESHOLD)


def release_notice(threshold: int | None) -> None:
    """Say on the page that public release mode is on."""
    if threshold:
        st.caption(f":material/visibility_off: **Mode rilis publik**: jumlah 1–{threshold - 1} ditampilkan sebagai "
                   f"<{threshold}; x = disembunyikan agar nilai kecil tidak dapat dihitung dari jumlah baris/kolom.")


RELEASE_MAX_ROWS = 2000  # a desa x indicator table of a whole kabupaten takes under a second; a province's, minutes


@st.cache_data(ttl=CACHE_TTL, max_entries=100, show_spinner="Menyembunyikan nilai kecil…")
def suppressed(table: pd.DataFrame, threshold: int):
    """dashboard.suppress.suppress, cached (a desa x indicator table takes about a second)."""
    from dashboard.suppress import suppress

    return suppress(table, threshold)


def release_rows(df: pd.DataFrame, threshold: int | None, count: str = "jumlah", derived: tuple[str, ...] = ("per_1000",)) -> pd.DataFrame:
    """Public release of a one-way table (one row per area or indicator, its total shown elsewhere): counts from 1 to
    threshold - 1, and whatever else would let them be worked out from the total, become missing, as do values
    derived from them (rates). Column `rilis` says '<3', 'x' or ''. Without a threshold the table is unchanged."""
    out = df.copy()
    out["rilis"] = ""
    if not threshold or out.empty:
        return out
    from dashboard.suppress import suppress_series

    counts = pd.to_numeric(out[count], errors="coerce").fillna(0).round().astype("int64").reset_index(drop=True)
    sup = suppress_series(counts, threshold, total=True)
    status = sup.cells.iloc[:, 0].to_numpy()
    hidden = status != ""
    out["rilis"] = [sup.label(s, 0) if s else "" for s in status]
    for col in (count, *[c for c in derived if c in out.columns]):
        out[col] = out[col].astype("Float64").mask(hidden)
    return out


def release_trend(df: pd.DataFrame, threshold: int | None, count: str = "jumlah") -> pd.DataFrame:
    """A monthly series for public release: months whose count is 1 .. threshold - 1 become gaps. No sum over the
    months is shown beside a trend, so hiding the small months alone protects them."""
    if not threshold:
        return df
    out = df.copy()
    values = pd.to_numeric(out[count], errors="coerce")
    out[count] = values.astype("Float64").mask((values > 0) & (values < threshold))
    return out


def due_day() -> int:
    """Day of the next month by which a report is on time: $PMKS_DUE_DAY, else `python -m etl settings --due-day`, else 10."""
    if os.environ.get("PMKS_DUE_DAY"):
        return int(os.environ["PMKS_DUE_DAY"])
    return int(q("setting", "hari_batas_laporan") or DEFAULT_DUE_DAY)


# --- shared filters, kept in the URL --------------------------------------------------------------

FILTER_KEYS = ("periode", "kec", "desa", "ind", "ukuran", "rilis")


def _from_url() -> None:
    """Seed the widgets' state from the URL once per session, so a link reproduces the view."""
    keep = st.session_state.setdefault("_keep_filters", {})
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    page = getattr(get_script_run_ctx(), "page_script_hash", None)
    if st.session_state.get("_filters_page") != page:  # a page switch starts new widgets: carry the values over
        for key, value in keep.items():
            st.session_state[f"f_{key}"] = value
        st.session_state["_filters_page"] = page
    if st.session_state.get("_filters_from_url"):
        return
    qp = st.query_params
    for key in FILTER_KEYS:
        if key in qp:
            st.session_state[f"f_{key}"] = qp.get_all(key) if key == "ind" else qp[key]
    st.session_state["_filters_from_url"] = True


def _to_url(values: dict) -> None:
    st.session_state["_keep_filters"] = {k: v for k, v in values.items() if k in FILTER_KEYS}
    for key, value in values.items():
        if value in (None, "", []):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = value


def sidebar_filters() -> dict:
    """Render the shared filters and return them: periode (date), area (code prefix), Selection, ukuran."""
    _from_url()
    months = q("periods")
    if not months:
        return {}
    month_keys = [p.strftime("%Y-%m") for p in months]
    default = q("latest_complete_month", date.today(), due_day())
    if st.session_state.get("f_periode") not in month_keys:
        st.session_state["f_periode"] = default.strftime("%Y-%m")
    with st.sidebar:
        st.header("Filter")
        periode_key = st.selectbox(
            "Periode", month_keys[::-1], key="f_periode",
            format_func=lambda k: fmt.bulan(date.fromisoformat(k + "-01")),
        )
        kec = q("kecamatan_list")
        scope = current_user().kecamatan
        kec_options = [""] + kec["kode"].tolist()
        if scope:  # a camat or TKSK sees only their kecamatan
            kec_options = [scope]
        kec_names = dict(zip(kec["kode"], kec["nama"]))
        if st.session_state.get("f_kec") not in kec_options:
            st.session_state["f_kec"] = kec_options[0]
        kode_kec = st.selectbox("Kecamatan", kec_options, key="f_kec", format_func=lambda k: kec_names.get(k, "Semua kecamatan"),
                                disabled=bool(scope))
        desa = q("desa_list", kode_kec) if kode_kec else pd.DataFrame(columns=["kode", "nama"])
        desa_options = [""] + desa["kode"].tolist()
        desa_names = dict(zip(desa["kode"], desa["nama"]))
        if st.session_state.get("f_desa") not in desa_options:
            st.session_state["f_desa"] = ""
        kode_desa = st.selectbox("Desa/kelurahan", desa_options, key="f_desa", format_func=lambda k: desa_names.get(k, "Semua desa/kelurahan"), disabled=not kode_kec)
        ind = q("indikator_list")
        ind_names = dict(zip(ind["kode"], ind["nama"]))
        groups = {f"kelompok:{g}": f"Kelompok: {g}" for g in sorted(ind["kelompok"].unique())}
        options = list(groups) + ind["kode"].tolist()
        labels = {**groups, **ind_names}
        st.session_state["f_ind"] = [v for v in st.session_state.get("f_ind", []) if v in options]
        chosen = st.multiselect("Indikator PMKS", options, key="f_ind", format_func=lambda k: labels[k], placeholder="Semua indikator")
        if st.session_state.get("f_ukuran") not in ("jumlah", "per1000"):
            st.session_state["f_ukuran"] = "jumlah"
        ukuran = st.radio("Ukuran", ["jumlah", "per1000"], key="f_ukuran", format_func=lambda k: "Jumlah jiwa" if k == "jumlah" else "Per 1.000 penduduk")
        st.session_state["f_rilis"] = st.session_state.get("f_rilis") in (True, "1", 1)
        public = st.toggle(f"Mode rilis publik (sembunyikan jumlah <{release_threshold()})", key="f_rilis",
                           help="Untuk tabel, grafik dan PDF yang keluar kantor: jumlah 1 sampai ambang-1 ditampilkan "
                                f"sebagai <{release_threshold()}, dan nilai lain disembunyikan (x) agar yang kecil tidak "
                                "dapat dihitung dari jumlah baris atau kolom.")
    codes: list[str] = []
    for c in chosen:
        if c.startswith("kelompok:"):
            codes += ind.loc[ind["kelompok"] == c.split(":", 1)[1], "kode"].tolist()
        else:
            codes.append(c)
    _to_url({"periode": periode_key, "kec": kode_kec, "desa": kode_desa, "ind": chosen, "ukuran": ukuran, "rilis": "1" if public else ""})
    area = kode_desa or kode_kec
    area_name = desa_names.get(kode_desa) or (f"Kec. {kec_names[kode_kec]}" if kode_kec else None)
    return {
        "periode": date.fromisoformat(periode_key + "-01"),
        "area": area,
        "area_nama": area_name,
        "kecamatan": kode_kec,
        "desa": kode_desa,
        "sel": Selection(area=area, indikator=tuple(sorted(set(codes)))),
        "indikator_label": ", ".join(labels[c] for c in chosen) if chosen else "Semua indikator",
        "ukuran": ukuran,
        "rilis": release_threshold() if public else None,
    }


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
    _, info = open_page(page)
    return info, sidebar_filters()


def open_page(page: str, reports: bool = True):
    """The start of every page: the app's navigation, the role check, the warehouse check; returns (user, info)."""
    ensure_navigation()
    user = guard(page)
    return user, require_data(reports)


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
    known = df[df["penduduk"].notna()]
    if known["perkiraan"].fillna(False).astype(bool).nunique() > 1:  # estimates never mix silently with real figures
        notes.append("perhatian: laju berpenduduk nyata dan perkiraan (\\*) tampil bersama dan kurang sebanding")
    if "sumber_penduduk" in df and df["sumber_penduduk"].notna().any():
        notes.append("penduduk: " + "; ".join(sorted(set(df["sumber_penduduk"].dropna()))))
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


def logout() -> None:
    audit_action("keluar", user_name())
    st.session_state.pop("pengguna_login", None)
    st.session_state["_cookie"] = ""  # and forget the browser's "stay signed in" cookie


def sync_cookie() -> None:
    """Write (after login) or clear (after logout) the browser's signed session cookie; app.py calls this once a run."""
    from dashboard import auth

    value = st.session_state.pop("_cookie", None)
    if value is None:
        return
    import streamlit.components.v1 as components

    age = auth.SESSION_HOURS * 3600 if value else 0
    components.html(f"<script>window.parent.document.cookie = '{auth.COOKIE}={value}; path=/; max-age={age}; SameSite=Strict';</script>",
                    height=0)


def login_form() -> None:
    """Sign in (when the deployment has users); failures and successes go to the audit."""
    from dashboard import auth

    def _login() -> None:
        login = st.session_state.get("masuk_nama", "").strip()
        user = auth.authenticate(login, st.session_state.get("masuk_sandi", ""))
        st.session_state["masuk_sandi"] = ""
        if user is None:
            st.session_state["masuk_galat"] = "Nama pengguna atau kata sandi salah."
            audit_action("gagal_masuk", login or "-")
            return
        st.session_state["pengguna_login"] = user.login
        import time

        st.session_state["_cookie"] = auth.session_token(user.login, users()[user.login], time.time())
        audit_action("masuk", user.login)

    st.title("Dasbor PMKS")
    st.caption("Dinas Sosial P3A PMD — masuk dengan akun yang diberikan admin.")
    with st.form("masuk", border=True):
        st.text_input("Nama pengguna", key="masuk_nama")
        st.text_input("Kata sandi", type="password", key="masuk_sandi")
        st.form_submit_button("Masuk", on_click=_login)
    if problem := st.session_state.pop("masuk_galat", None):
        st.error(problem)
