"""Kelengkapan Laporan: which desa reported, on time or late, month by month."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import queries, ui
from etl import fmt

STATUS = ["tepat waktu", "terlambat", "semua nol", "belum lapor"]
COLORS = {"tepat waktu": "#1b7837", "terlambat": "#f1a340", "semua nol": "#9ecae1", "belum lapor": "#d9d9d9"}

info, f = ui.page_filters("kelengkapan")
periode = f.periode
area = f.kecamatan  # the grid is by desa: a single desa filter still shows its kecamatan
st.title("Kelengkapan Laporan")
due = ui.due_day()
st.caption(f"Batas lapor: tanggal {due} bulan berikutnya. {f.area_nama or info['nama']}.")
months = ui.q(queries.periods)
start = months[max(0, months.index(periode) - 11)]
status = ui.q(queries.report_status, start, periode, area, due)

now = status[status["periode"] == periode]
counts = now["status"].value_counts()
cols = st.columns(4)
for col, s in zip(cols, STATUS):
    col.metric(s.capitalize(), fmt.angka(int(counts.get(s, 0))))

roll = (status.assign(lapor=status["status"] != "belum lapor", tepat=status["status"] == "tepat waktu")
        .groupby(["kecamatan", "periode"], as_index=False)[["lapor", "tepat"]].mean())
wide = roll.pivot(index="kecamatan", columns="periode", values="lapor")
wide.columns = [fmt.bulan_pendek(c) for c in wide.columns]
st.subheader("Persentase desa melapor per kecamatan")
st.dataframe(wide.map(fmt.persen).rename_axis("Kecamatan"))

st.subheader("Status per desa dan bulan")
code = {s: i for i, s in enumerate(STATUS)}
grid = status.pivot(index=["kecamatan", "nama"], columns="periode", values="status")
labels = [f"{k} · {d}" for k, d in grid.index]
z = grid.map(code.get).to_numpy()
colorscale = []
for i, s in enumerate(STATUS):
    colorscale += [[i / len(STATUS), COLORS[s]], [(i + 1) / len(STATUS), COLORS[s]]]
fig = go.Figure(go.Heatmap(
    z=z, x=[fmt.bulan_pendek(c) for c in grid.columns], y=labels, zmin=-0.5, zmax=len(STATUS) - 0.5,
    colorscale=colorscale, text=grid.to_numpy(), hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    colorbar=dict(tickvals=list(range(len(STATUS))), ticktext=STATUS),
))
fig.update_layout(height=max(400, 14 * len(labels)), margin=dict(l=10, r=10, t=10, b=10), yaxis=dict(autorange="reversed"))
st.plotly_chart(fig, key="grid")

st.subheader(f"Belum melapor {fmt.bulan(periode)}")
missing = now[now["status"] == "belum lapor"][["kecamatan", "nama"]].rename(columns={"kecamatan": "Kecamatan", "nama": "Desa/Kelurahan"})
st.dataframe(missing, hide_index=True)
ui.download_buttons(missing, f"belum_lapor_{periode:%Y-%m}", "missing")
export = status.assign(Periode=[fmt.bulan(p) for p in status["periode"]])[["kecamatan", "nama", "Periode", "status"]]
ui.download_buttons(export.rename(columns={"kecamatan": "Kecamatan", "nama": "Desa/Kelurahan", "status": "Status"}), "kelengkapan_laporan", "grid")
