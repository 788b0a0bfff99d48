"""The shared filters: one frozen dataclass, rendered in the sidebar, read from and written to the URL in one place,
with the user's kecamatan scope applied here. `set_area` is the one way to change the area (drill-down).

A page declares which filters it reads (`PAGE_USES`, or `ui.page_filters(page, uses=...)`); the sidebar disables the
others with a short reason, and the page's `Filters` carry their neutral value (all indicators, the whole area), so
a page can neither show nor be cached on a choice it ignores. The choices themselves are kept for the next page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from common import fmt
from dashboard import data, queries
from dashboard.views import Filters

URL_KEYS = ("periode", "kec", "desa", "ind", "ukuran", "rilis")  # query parameters, and widgets f_<key>
UKURAN = {"jumlah": "Jumlah jiwa", "per1000": "Per 1.000 penduduk"}
IGNORED = {  # why a page does not use a filter, said under the disabled widget (a page may say it better)
    "kec": "Halaman ini tidak memakai pilihan kecamatan.",
    "desa": "Halaman ini tidak memakai pilihan desa/kelurahan.",
    "ind": "Halaman ini memakai semua indikator.",
    "ukuran": "Halaman ini tidak memakai pilihan ukuran.",
}


@dataclass(frozen=True)
class Uses:
    """The shared filters a page reads (keys of URL_KEYS; the month and release mode are always read), and the
    reason shown under each one it does not read."""

    keys: frozenset[str] = frozenset(URL_KEYS)
    why: tuple[tuple[str, str], ...] = ()

    def uses(self, key: str) -> bool:
        return key in self.keys or key in ("periode", "rilis")

    def reason(self, key: str) -> str:
        return dict(self.why).get(key) or IGNORED[key]


def uses(keys=None, why: dict[str, str] | None = None) -> Uses:
    """A page's declaration: `keys` the filters it reads (None: all), `why` its own reasons for the others."""
    return Uses(frozenset(URL_KEYS if keys is None else keys), tuple((why or {}).items()))


PAGE_USES = {  # pages that read fewer than all filters (the others read all)
    "prioritas": uses(("kec",), {
        "desa": "Halaman ini memeringkat semua desa/kelurahan kecamatan yang dipilih.",
        "ind": "Halaman ini memakai semua indikator: bobot tiap kelompok diatur di halaman.",
        "ukuran": "Halaman ini memakai laju per 1.000 penduduk.",
    }),
    "profil": uses(("kec", "desa"), {"ind": "Halaman ini memakai semua indikator.", "ukuran": "Halaman ini menampilkan jumlah jiwa."}),
}


def page_uses(page: str, declared=None) -> Uses:
    """What a page reads: its own declaration (a `Uses`, or the keys it reads), else its entry in PAGE_USES, else all."""
    if declared is not None:
        return declared if isinstance(declared, Uses) else uses(declared)
    return PAGE_USES.get(page) or Uses()


def set_area(kecamatan: str, desa: str = "") -> None:
    """Change the area of the shared filters (a drill-down from a map or a picker); takes effect on the next run.
    A user's kecamatan scope always wins."""
    from accounts import rulebook
    from dashboard.session import current_user

    st.session_state["f_kec"], st.session_state["f_desa"] = rulebook.clamp(current_user(), kecamatan, desa)


def _from_url() -> None:
    """Seed the widgets' state from the URL once per session, so a link reproduces the view; carry the values over
    a page switch (a new page starts new widgets)."""
    from dashboard.navigation import current

    keep = st.session_state.setdefault("_keep_filters", {})
    page = current()
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


def sidebar_filters(used: Uses | None = None) -> Filters | None:
    """Render the shared filters in the sidebar and return them (None when the warehouse has no month yet).

    Filters the page does not read (`used`) are shown disabled with the reason, keep their value for the next page,
    and come back neutral: no kecamatan (but the user's scope), no desa, all indicators, jumlah."""
    used = used or Uses()
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
        kode_kec, kec_names = _kecamatan_picker(used)
        kode_desa, desa_names = _desa_picker(kode_kec, used)
        chosen, codes, labels = _indikator_picker(used)
        _keep_valid("f_ukuran", list(UKURAN), "jumlah")
        ukuran = st.radio("Ukuran", list(UKURAN), key="f_ukuran", format_func=UKURAN.get, disabled=not used.uses("ukuran"))
        _why(used, "ukuran")
        st.session_state["f_rilis"] = st.session_state.get("f_rilis") in (True, "1", 1)
        public = st.toggle(f"Mode rilis publik (sembunyikan jumlah <{threshold})", key="f_rilis",
                           help="Untuk tabel, grafik dan PDF yang keluar kantor: jumlah 1 sampai ambang-1 ditampilkan "
                                f"sebagai <{threshold}, dan nilai lain disembunyikan (x) agar yang kecil tidak "
                                "dapat dihitung dari jumlah baris atau kolom.")
    _to_url({"periode": periode_key, "kec": kode_kec, "desa": kode_desa, "ind": chosen, "ukuran": ukuran, "rilis": "1" if public else ""})
    if not used.uses("kec"):
        kode_kec = _scope()
    if not used.uses("desa") or not used.uses("kec"):
        kode_desa = ""
    if not used.uses("ind"):
        chosen, codes = [], ()
    return Filters(
        periode=date.fromisoformat(periode_key + "-01"), kecamatan=kode_kec, desa=kode_desa, indikator=codes,
        indikator_label=", ".join(labels[c] for c in chosen) if chosen else "Semua indikator",
        area_nama=desa_names.get(kode_desa) or (f"Kec. {kec_names[kode_kec]}" if kode_kec in kec_names else None),
        ukuran=ukuran if used.uses("ukuran") else "jumlah", rilis=threshold if public else None,
    )


def _scope() -> str:
    from dashboard.session import current_user

    user = current_user()
    from accounts import rulebook

    return rulebook.area(user) or ""


def _why(used: Uses, key: str) -> None:
    if not used.uses(key):
        st.caption(used.reason(key))


def _kecamatan_picker(used: Uses) -> tuple[str, dict]:
    names = data.kecamatan_names()
    scope = _scope()
    options = [scope] if scope else [""] + list(names)  # a camat or TKSK sees only their kecamatan
    _keep_valid("f_kec", options, options[0])
    code = st.selectbox("Kecamatan", options, key="f_kec", format_func=lambda k: names.get(k, "Semua kecamatan"),
                        disabled=bool(scope) or not used.uses("kec"))
    _why(used, "kec")
    return code, names


def _desa_picker(kode_kec: str, used: Uses) -> tuple[str, dict]:
    desa = data.q(queries.desa_list, kode_kec) if kode_kec else pd.DataFrame(columns=["kode", "nama"])
    options = [""] + desa["kode"].tolist()
    names = dict(zip(desa["kode"], desa["nama"]))
    _keep_valid("f_desa", options, "")
    code = st.selectbox("Desa/kelurahan", options, key="f_desa", format_func=lambda k: names.get(k, "Semua desa/kelurahan"),
                        disabled=not kode_kec or not used.uses("desa") or not used.uses("kec"))
    if used.uses("kec"):  # when the kecamatan is ignored, its reason covers the desa too
        _why(used, "desa")
    return code, names


def _indikator_picker(used: Uses) -> tuple[list[str], tuple[str, ...], dict]:
    """The chosen options (codes and 'kelompok:X'), the indicator codes they mean, and the labels."""
    ind = data.q(queries.indikator_list)
    groups = {f"kelompok:{g}": f"Kelompok: {g}" for g in sorted(ind["kelompok"].unique())}
    options = list(groups) + ind["kode"].tolist()
    labels = {**groups, **dict(zip(ind["kode"], ind["nama"]))}
    st.session_state["f_ind"] = [v for v in st.session_state.get("f_ind", []) if v in options]
    chosen = st.multiselect("Indikator PMKS", options, key="f_ind", format_func=lambda k: labels[k], placeholder="Semua indikator",
                            disabled=not used.uses("ind"))
    _why(used, "ind")
    codes: list[str] = []
    for c in chosen:
        codes += ind.loc[ind["kelompok"] == c.split(":", 1)[1], "kode"].tolist() if c.startswith("kelompok:") else [c]
    return chosen, tuple(sorted(set(codes))), labels
