"""Lapor Bulanan (issue 25): the PSM enters their desa's monthly report on a phone. Every value is saved as a draft
on the server the moment it changes; Kirim checks the import's rules and sends it to the kecamatan's verifikator
(widgets and rules: dashboard.lapor_view, lapor)."""

import streamlit as st

import lapor
from common import fmt
from common.errors import PMKSError
from dashboard import lapor_view, ui

user, _ = ui.open_page("lapor", reports=False)
st.title("Lapor Bulanan")
refused = lapor_view.flash()  # the outcome of the last change, even when its month has just closed
store = ui.data.store()
desa = str(st.query_params.get("desa") or lapor_view.own_desa(user))  # another desa by URL is refused by `lapor.form`
try:
    months = lapor.open_months(store, user)
except PMKSError as exc:
    st.error(exc.short, icon=":material/block:")
    st.stop()
if (chosen := st.session_state.get("lapor_tampil")) is not None and chosen not in months:
    months.append(chosen)  # the month on screen has just closed: it stays, read-only, with the reason
if not months:
    st.info("Tidak ada bulan laporan yang terbuka untuk diisi saat ini.", icon=":material/event_busy:")
    st.stop()
try:
    forms = {m: lapor.form(store, user, desa, m) for m in months}
except PMKSError as exc:
    st.error(exc.short, icon=":material/block:")
    st.stop()
periode = lapor_view.month_choice(months, {m: f.status for m, f in forms.items()}, "lapor_bulan")
form = forms[periode]
st.session_state["lapor_tampil"] = periode
lapor_view.load(form)
st.subheader(f"{form.nama_desa} · {fmt.bulan(periode)}")
lapor_view.status_line(form)
editable = form.editable and form.terbuka
if not form.terbuka and not refused:  # (a refused save has said it already)
    st.error(f"Pengisian laporan {fmt.bulan(periode)} sudah ditutup pada {fmt.tanggal(form.tutup)}. Hubungi admin "
             "Dinsos bila laporan perlu dibuka kembali.", icon=":material/lock:")
if editable:
    tools = st.container(horizontal=True, gap="small")
    tools.button("Salin dari bulan lalu", key="lapor_salin", icon=":material/content_copy:",
                 on_click=lapor_view.act, args=(lapor.copy_last_month, desa, periode, form.versi),
                 kwargs={"done": "Nilai bulan lalu disalin sebagai awal; periksa dan ubah bila perlu."},
                 help="Mengisi setiap baris dengan nilai bulan lalu sebagai awal. Tersimpan sebagai draf.")
    tools.button("Nihil", key="lapor_nihil", icon=":material/exposure_zero:",
                 on_click=lapor_view.act, args=(lapor.set_nihil, desa, periode, form.versi),
                 kwargs={"done": "Laporan diisi nihil: semua indikator nol bulan ini."},
                 help="Melaporkan bahwa bulan ini tidak ada PMKS sama sekali (semua nol). Berbeda dengan tidak melapor.")
    st.caption("Setiap angka tersimpan otomatis sebagai draf begitu diubah; menutup halaman tidak menghapus isian.")
lapor_view.entry_rows(form, disabled=not editable)
if editable:
    lapor_view.send_check(form)
    st.button("Kirim ke verifikator", key="lapor_kirim", type="primary", icon=":material/send:", width="stretch",
              on_click=lapor_view.act, args=(lapor.send, desa, periode, form.versi),
              kwargs={"done": f"Laporan {fmt.bulan(periode)} terkirim ke verifikator kecamatan."})
if form.langkah:
    with st.expander("Riwayat status laporan"):
        ui.list_table(lapor_view.steps_table(form), label="Riwayat status laporan")
