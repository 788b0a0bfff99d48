"""Kelengkapan Laporan: which desa reported, on time or late, month by month (model: dashboard.views.kelengkapan).

The roll-up per kecamatan comes first; the desa grid shows one kecamatan at a time (the sidebar's, or the one picked
here), so every desa is labelled."""

import streamlit as st

from common import fmt
from dashboard import asal_ui, lapor_status, queries, ui
from dashboard.views import kelengkapan

info, f = ui.page_filters("kelengkapan")
v = ui.view(kelengkapan.build, f)
st.title("Kelengkapan Laporan")
st.caption(v.caption)
lapor_status.unapproved_notice(f.periode, f.kecamatan or ui.area())
for col, (label, count) in zip(st.columns(len(v.counts)), v.counts):
    col.metric(label, count)


def download(d: kelengkapan.Download, key: str) -> None:
    ui.download_buttons(d.frame, d.name, key, label=d.label)


# this month's roll-up and its 12-month history in tabs, each drawn only while shown (issue 13)
bulan, riwayat = st.tabs(["Bulan ini", "12 bulan terakhir"], key="kel_rekap", on_change="rerun")
if bulan.open:
    with bulan:
        st.subheader(v.rollup_title)
        if v.rollup_note:
            st.caption(v.rollup_note)
        ui.list_table(v.rollup, label=v.rollup_title)
        download(v.rollup_download, "rollup")
if riwayat.open:
    riwayat.subheader(v.shares_title)
    ui.chart(v.shares, riwayat, key="shares", name="kelengkapan_12_bulan")

st.subheader("Status laporan per desa")
if v.choices:  # no kecamatan in the sidebar: pick one here, the worst first
    kode = st.selectbox("Kecamatan", [k for k, _ in v.choices], format_func=lambda k: dict(v.choices)[k], key="kel_kec",
                        help="Urut dari persentase desa melapor terendah. Kecamatan juga dapat dipilih di filter samping.")
    v = ui.view(kelengkapan.build, f, kecamatan=kode)
st.markdown(f"**{v.grid_title}**")
ui.chart(v.grid, key="grid", name="kelengkapan_per_desa")
grid = v.status_download.frame  # where a desa x month cell's figures come from
asal_ui.picker(asal_ui.question(f), asal_ui.areas(grid[grid["Kode"].str.startswith(v.kecamatan)]), key="kelengkapan_asal",
               months=[m for m in ui.q(queries.periods) if m <= f.periode][-12:])
download(v.status_download, "grid")

st.subheader(v.missing_title)
ui.list_table(v.missing, height=420, label=v.missing_title)
download(v.missing_download, "missing")

# the reports PSM make in the app (issue 25): their status beside the imported ones
st.subheader(f"Laporan PSM dari aplikasi, {fmt.bulan(f.periode)}")
months = v.status_download.frame
reported = set(months.loc[months[kelengkapan.month_header(f.periode)] != kelengkapan.LABEL["belum lapor"], "Kode"])
web = lapor_status.statuses(f.periode, f.kecamatan or ui.area())
shown = lapor_status.counts(web, reported)
for row in (shown[:4], shown[4:]):  # two rows, read in order on a phone too
    for col, (label, count) in zip(st.columns(4), row):
        col.metric(label, count)
desa = ui.q(ui.queries.desa_list, v.kecamatan)
ui.list_table(lapor_status.desa_table(web, desa, reported), label=f"Status laporan per desa, {fmt.bulan(f.periode)}")
