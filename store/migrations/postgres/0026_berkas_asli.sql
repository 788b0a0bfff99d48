-- 0026: every imported file kept exactly as received (issue 26), content-addressed by its SHA-256, written in the
-- same transaction as its import, so that every app server behind nginx can serve it and the provenance panel can
-- point at the cell a value was read from. `berkas_impor` and `laporan` keep naming the file after retention removes
-- its bytes (the provenance text stays; the removal is audited).
create table berkas_asli (
    sha256 varchar primary key,
    nama_berkas varchar not null,      -- the name it was first received under
    ukuran bigint not null,
    wilayah varchar not null,          -- the smallest area holding every desa of the file (kecamatan, kabupaten, ...; '' = all)
    isi bytea not null,                -- the bytes as received
    diterima timestamp not null,
    pengguna varchar not null
);

-- the provenance panel reads every report of a desa x month, replaced and rolled back ones too (the writers' index of
-- 0023 covers the active ones only)
create index laporan_desa_periode_riwayat on laporan (kode_desa, periode);

-- the column of a desa's population figure (its row is `baris`), so that the panel names the exact cell
alter table penduduk_desa add column kolom varchar;
