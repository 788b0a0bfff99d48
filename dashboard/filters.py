"""The shared filters: one frozen dataclass, rendered in the sidebar, read from and written to the URL in one place,
with the user's kecamatan scope applied here. `set_area` is the one way to change the area (drill-down)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data, queries
from dashboard.queries import Selection
from etl import fmt

URL_KEYS = ("periode", "kec", "desa", "ind", "ukuran", "rilis")  # query parameters, and widgets f_<key>
UKURAN = {"jumlah": "Jumlah jiwa", "per1000": "Per 1.000 penduduk"}


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


def set_area(kecamatan: str, desa: str = "") -> None:
    """Change the area of the shared filters (a drill-down from a map or a picker); takes effect on the next run.
    A user's kecamatan scope always wins."""
    from dashboard.session import current_user

    user = current_user()
    if user is not None and user.kecamatan:
        kecamatan = user.kecamatan
    st.session_state["f_kec"], st.session_state["f_desa"] = kecamatan, desa


def _from_url() -> None:
    """Seed the widgets' state from the URL once per session, so a link reproduces the view; carry the values over
    a page switch (a new page starts new widgets)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    keep = st.session_state.setdefault("_keep_filters", {})
    page = getattr(get_script_run_ctx(), "page_script_hash", None)
    if st.session_state.get("_filters_page") != page:
        for key, value in keep.items():
            st.session_state[f"f_{key}"] = value
        st.session_state["_filters_page"] = page
    if st.session_state.get("_filters_from_url"):
        return
    qp = st.query_params
    for key in URL_KEYS:
        if key in qp:
            st.session_state[f"f_{key}"] = qp.get_all(key) if key == "ind" else qp[key]
    st.session_state["_filters_from_url"] = True


def _to_url(values: dict) -> None:
    st.session_state["_keep_filters"] = {k: v for k, v in values.items() if k in URL_KEYS}
    for key, value in values.items():
        if value in (None, "", []):
            st.query_params.pop(key, None)
        else:
            st.query_params[key] = value


def _keep_valid(key: str, options: list, default) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def sidebar_filters() -> Filters | None:
    """Render the shared filters in the sidebar and return them (None when the warehouse has no month yet)."""
    _from_url()
    months = data.q(queries.periods)
    if not months:
        return None
    month_keys = [p.strftime("%Y-%m") for p in months]
    _keep_valid("f_periode", month_keys, data.q(queries.latest_complete_month, date.today(), data.due_day()).strftime("%Y-%m"))
    threshold = data.release_threshold()
    with st.sidebar:
        st.header("Filter")
        periode_key = st.selectbox("Periode", month_keys[::-1], key="f_periode",
                                   format_func=lambda k: fmt.bulan(date.fromisoformat(k + "-01")))
        kode_kec, kec_names = _kecamatan_picker()
        kode_desa, desa_names = _desa_picker(kode_kec)
        chosen, codes, labels = _indikator_picker()
        _keep_valid("f_ukuran", list(UKURAN), "jumlah")
        ukuran = st.radio("Ukuran", list(UKURAN), key="f_ukuran", format_func=UKURAN.get)
        st.session_state["f_rilis"] = st.session_state.get("f_rilis") in (True, "1", 1)
        public = st.toggle(f"Mode rilis publik (sembunyikan jumlah <{threshold})", key="f_rilis",
                           help="Untuk tabel, grafik dan PDF yang keluar kantor: jumlah 1 sampai ambang-1 ditampilkan "
                                f"sebagai <{threshold}, dan nilai lain disembunyikan (x) agar yang kecil tidak "
                                "dapat dihitung dari jumlah baris atau kolom.")
    _to_url({"periode": periode_key, "kec": kode_kec, "desa": kode_desa, "ind": chosen, "ukuran": ukuran, "rilis": "1" if public else ""})
    return Filters(
        periode=date.fromisoformat(periode_key + "-01"), kecamatan=kode_kec, desa=kode_desa, indikator=codes,
        indikator_label=", ".join(labels[c] for c in chosen) if chosen else "Semua indikator",
        area_nama=desa_names.get(kode_desa) or (f"Kec. {kec_names[kode_kec]}" if kode_kec in kec_names else None),
        ukuran=ukuran, rilis=threshold if public else None,
    )


def _kecamatan_picker() -> tuple[str, dict]:
    from dashboard.session import current_user

    kec = data.q(queries.kecamatan_list)
    scope = current_user().kecamatan
    options = [scope] if scope else [""] + kec["kode"].tolist()  # a camat or TKSK sees only their kecamatan
    names = dict(zip(kec["kode"], kec["nama"]))
    _keep_valid("f_kec", options, options[0])
    code = st.selectbox("Kecamatan", options, key="f_kec", format_func=lambda k: names.get(k, "Semua kecamatan"),
                        disabled=bool(scope))
    return code, names


def _desa_picker(kode_kec: str) -> tuple[str, dict]:
    desa = data.q(queries.desa_list, kode_kec) if kode_kec else pd.DataFrame(columns=["kode", "nama"])
    options = [""] + desa["kode"].tolist()
    names = dict(zip(desa["kode"], desa["nama"]))
    _keep_valid("f_desa", options, "")
    code = st.selectbox("Desa/kelurahan", options, key="f_desa", format_func=lambda k: names.get(k, "Semua desa/kelurahan"),
                        disabled=not kode_kec)
    return code, names


def _indikator_picker() -> tuple[list[str], tuple[str, ...], dict]:
    """The chosen options (codes and 'kelompok:X'), the indicator codes they mean, and the labels."""
    ind = data.q(queries.indikator_list)
    groups = {f"kelompok:{g}": f"Kelompok: {g}" for g in sorted(ind["kelompok"].unique())}
    options = list(groups) + ind["kode"].tolist()
    labels = {**groups, **dict(zip(ind["kode"], ind["nama"]))}
    st.session_state["f_ind"] = [v for v in st.session_state.get("f_ind", []) if v in options]
    chosen = st.multiselect("Indikator PMKS", options, key="f_ind", format_func=lambda k: labels[k], placeholder="Semua indikator")
    codes: list[str] = []
    for c in chosen:
        codes += ind.loc[ind["kelompok"] == c.split(":", 1)[1], "kode"].tolist() if c.startswith("kelompok:") else [c]
    return chosen, tuple(sorted(set(codes))), labels
