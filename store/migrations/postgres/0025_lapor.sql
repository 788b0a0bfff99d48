-- 0025 (PostgreSQL, as the DuckDB migration): Lapor Bulanan (issue 25). A PSM's monthly report entered in the app: the workflow of each desa x month, its
-- draft values with notes, every status change, the admin's exceptions to the period lock; the users' desa scope,
-- must-change-password flag and phone.
--
-- A sent (or approved, by the setting) web report is published as a report like an imported one: `laporan` and
-- `laporan_nilai` rows under an `impor_batch` of jenis 'web' (lapor.batch_id), so marts, replace-with-diff and
-- rollback are the importer's.

create table lapor (
    kode_desa varchar not null,
    periode date not null,             -- first day of the month
    status varchar not null,           -- draf | dikirim | dikembalikan | diverifikasi | disetujui
    versi integer not null,            -- raised by every change: the optimistic concurrency token
    nihil boolean not null default false,  -- an explicit all-zero month (not the same as not reporting)
    komentar varchar not null default '',  -- the verifikator's latest return comment
    dibuat timestamp not null,
    diubah timestamp not null,
    diubah_oleh varchar not null,      -- login of the last change
    dikirim timestamp,                 -- last sent
    dikirim_oleh varchar,
    batch_id integer,                  -- the web batch whose report counts now (null: nothing published)
    primary key (kode_desa, periode)
);

create table lapor_nilai (
    kode_desa varchar not null,
    periode date not null,
    kode_indikator varchar not null,
    laki_laki integer,                 -- null = not entered yet
    perempuan integer,
    catatan varchar not null default '',
    versi integer not null,            -- the desa x month's versi this row was last changed at
    diubah timestamp not null,
    diubah_oleh varchar not null,
    primary key (kode_desa, periode, kode_indikator)
);

create sequence seq_lapor_langkah start 1;
create table lapor_langkah (
    id bigint primary key default nextval('seq_lapor_langkah'),
    kode_desa varchar not null,
    periode date not null,
    dari varchar not null,             -- belum | draf | dikirim | dikembalikan | diverifikasi | disetujui
    ke varchar not null,
    pengguna varchar not null,
    waktu timestamp not null,
    komentar varchar not null default '',
    batch_id integer                   -- the web batch this change published or withdrew
);

create table lapor_buka (
    kode_desa varchar not null,
    periode date not null,
    sampai date not null,              -- entry stays open until this day
    alasan varchar not null,
    pengguna varchar not null,
    waktu timestamp not null,
    primary key (kode_desa, periode)
);

alter table pengguna add column desa varchar default '';          -- a psm's desa ('' = none)
alter table pengguna add column ganti_sandi boolean default false; -- must choose a new password at next sign-in
alter table pengguna add column telepon varchar default '';

-- The settings `lapor_hari_kunci` (days after the due day until entry closes; 20 when unset) and `lapor_hitung`
-- ('disetujui': dashboards count only approved web reports, when unset; 'dikirim': every sent one) live in
-- `pengaturan`, written by Pengguna & Pengaturan (lapor.save_settings); no row is inserted here, so that
-- `etl to-postgres` can copy a file's settings into a fresh database.

-- what the workflow looks up on a row store; the follower's copies do not hold these tables (store/follower.py)
create index lapor_status on lapor (status, kode_desa);
create index lapor_langkah_desa on lapor_langkah (kode_desa, periode);
