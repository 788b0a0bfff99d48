-- 0001 (PostgreSQL): the core schema, as store/migrations/0001_initial.sql for DuckDB. Never edit once released; add a
-- new migration to both folders.

create table pengaturan (
    kunci varchar primary key,
    nilai varchar not null
);

-- Official Kemendagri geography: provinsi, kabupaten/kota, kecamatan, desa/kelurahan.
create table wilayah (
    kode varchar primary key,          -- dotted Kemendagri code, e.g. 35.23.01.2001
    nama varchar not null,
    tingkat varchar not null,          -- provinsi | kabupaten | kecamatan | desa
    jenis varchar not null,            -- provinsi | kabupaten | kota | kecamatan | desa | kelurahan | desa_adat
    kode_induk varchar,
    kode_pos varchar,
    sumber varchar not null
);

-- PMKS/PPKS catalogue (Permensos 08/2012, 26 types).
create table indikator (
    kode varchar primary key,          -- stable project code, e.g. FM
    nomor integer not null,
    nama varchar not null,
    singkatan varchar,
    kelompok varchar not null,
    definisi varchar not null,
    aktif boolean not null default true,
    sumber varchar not null
);

create table penduduk (
    kode_wilayah varchar not null,
    tahun integer not null,
    jumlah bigint not null,
    laki_laki bigint,
    perempuan bigint,
    perkiraan boolean not null default false,
    sintetis boolean not null default false,
    sumber varchar not null,
    primary key (kode_wilayah, tahun)
);

create table batas_wilayah (
    kode varchar primary key,
    tingkat varchar not null,          -- kecamatan | desa
    geom_wkb bytea not null,            -- valid geometry, EPSG:4326
    geom_peta varchar not null,        -- simplified GeoJSON geometry for maps
    luas_km2 double precision not null,
    jumlah_titik integer not null,
    sumber varchar not null,
    diimpor timestamp not null
);

create sequence seq_batch start 1;
create table impor_batch (
    id integer primary key default nextval('seq_batch'),
    waktu timestamp not null,
    pengguna varchar not null,
    jenis varchar not null,            -- impor | demo | rollback
    status varchar not null,           -- aktif | dibatalkan
    keterangan varchar
);

create table berkas_impor (
    batch_id integer not null,
    nama_berkas varchar not null,
    sha256 varchar not null,
    ukuran bigint,
    jumlah_laporan integer not null,
    primary key (batch_id, sha256)
);

-- One report = one desa, one month. Replaced reports are kept (aktif = false) so nothing is lost.
create sequence seq_laporan start 1;
create table laporan (
    id bigint primary key default nextval('seq_laporan'),
    kode_desa varchar not null,
    periode date not null,
    batch_id integer not null,
    nama_berkas varchar,
    sheet varchar,
    sha256 varchar,
    nama_psm varchar,
    diterima timestamp not null,
    aktif boolean not null default true,
    diganti_batch integer,
    sintetis boolean not null default false
);

create table laporan_nilai (
    laporan_id bigint not null,
    kode_indikator varchar not null,
    laki_laki integer,
    perempuan integer,
    jumlah integer not null,
    baris integer,                     -- spreadsheet row the value came from
    kolom varchar,
    primary key (laporan_id, kode_indikator)
);

create table alias_desa (
    kode_kecamatan varchar not null,
    alias varchar not null,            -- normalised name
    kode_desa varchar not null,
    pengguna varchar,
    dibuat timestamp,
    primary key (kode_kecamatan, alias)
);

create table alias_indikator (
    alias varchar primary key,
    kode_indikator varchar not null,
    pengguna varchar,
    dibuat timestamp
);

create sequence seq_audit start 1;
create table audit (
    id bigint primary key default nextval('seq_audit'),
    waktu timestamp not null,
    pengguna varchar not null,
    aksi varchar not null,
    objek varchar,
    rincian json
);

-- Analysts' read-only view: one row per desa x month x indicator of the active reports.
create view pmks_counts as
select
    l.periode as periode,
    kec.kode as kode_kecamatan,
    kec.nama as nama_kecamatan,
    d.kode as kode_desa,
    d.nama as nama_desa,
    d.jenis as jenis_wilayah,
    i.kode as kode_indikator,
    i.nama as nama_indikator,
    n.laki_laki as laki_laki,
    n.perempuan as perempuan,
    n.jumlah as jumlah,
    l.sintetis as sintetis
from laporan_nilai as n
join laporan as l on l.id = n.laporan_id and l.aktif
join wilayah as d on d.kode = l.kode_desa
join wilayah as kec on kec.kode = d.kode_induk
join indikator as i on i.kode = n.kode_indikator;
