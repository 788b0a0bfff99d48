-- 0023 (PostgreSQL only): the change log that every app process's DuckDB copy follows (store/follower.py), and the
-- indexes the writers' checks need on a row store.
--
-- Every write transaction of the store raises `_versi.audit` first and sets `pmks.versi` to the new value; the
-- triggers below stamp what the statement changed with it: the area x months of the marts and the desa x months of the
-- reports (key rows), or just the table (kode null: read the whole table again). A write made outside the store (psql)
-- raises the counters itself, so the copies follow it too. The copies are told by NOTIFY pmks_versi.

create table _log_ubah (
    versi bigint not null,             -- the writing transaction's new audit version
    tabel varchar not null,
    kode varchar,                      -- desa or area code of a keyed table; null = the whole table changed
    periode date
);
create index _log_ubah_versi on _log_ubah (versi, tabel);
insert into _versi values ('log_awal', 0);  -- the log is complete after this version (older entries are pruned)

create function _pmks_versi() returns bigint language plpgsql as $$
declare
    v text := current_setting('pmks.versi', true);
begin
    if v is null or v = '' then
        update _versi set nilai = nilai + 1 where kunci in ('data', 'audit');
        select nilai::text into v from _versi where kunci = 'audit';
        perform set_config('pmks.versi', v, true);
        perform pg_notify('pmks_versi', v);
    end if;
    return v::bigint;
end $$;

create function _pmks_log_tabel() returns trigger language plpgsql as $$
begin
    insert into _log_ubah (versi, tabel) values (_pmks_versi(), tg_table_name);
    return null;
end $$;

-- keyed tables: the statement's rows before (old) and after (new), as transition tables
create function _pmks_log_wilayah_baru() returns trigger language plpgsql as $$
begin
    insert into _log_ubah (versi, tabel, kode, periode) select distinct _pmks_versi(), tg_table_name, kode_wilayah, periode from _baru;
    return null;
end $$;
create function _pmks_log_wilayah_lama() returns trigger language plpgsql as $$
begin
    insert into _log_ubah (versi, tabel, kode, periode) select distinct _pmks_versi(), tg_table_name, kode_wilayah, periode from _lama;
    return null;
end $$;
create function _pmks_log_desa_baru() returns trigger language plpgsql as $$
begin
    insert into _log_ubah (versi, tabel, kode, periode) select distinct _pmks_versi(), tg_table_name, kode_desa, periode from _baru;
    return null;
end $$;
create function _pmks_log_desa_lama() returns trigger language plpgsql as $$
begin
    insert into _log_ubah (versi, tabel, kode, periode) select distinct _pmks_versi(), tg_table_name, kode_desa, periode from _lama;
    return null;
end $$;

do $$
declare
    t text;
    fn text;
begin
    foreach t in array array['agregat_bulanan', 'agregat_laporan', 'laporan'] loop
        fn := case when t = 'laporan' then '_pmks_log_desa' else '_pmks_log_wilayah' end;
        execute format('create trigger %I after insert on %I referencing new table as _baru for each statement execute function %I()',
                       '_log_' || t || '_ins', t, fn || '_baru');
        execute format('create trigger %I after update on %I referencing new table as _baru for each statement execute function %I()',
                       '_log_' || t || '_upd_baru', t, fn || '_baru');
        execute format('create trigger %I after update on %I referencing old table as _lama for each statement execute function %I()',
                       '_log_' || t || '_upd_lama', t, fn || '_lama');
        execute format('create trigger %I after delete on %I referencing old table as _lama for each statement execute function %I()',
                       '_log_' || t || '_del', t, fn || '_lama');
        execute format('create trigger %I after truncate on %I for each statement execute function _pmks_log_tabel()', '_log_' || t || '_trunc', t);
    end loop;
    foreach t in array array['pengaturan', 'wilayah', 'indikator', 'penduduk', 'batas_wilayah', 'impor_batch', 'berkas_impor',
                             'alias_desa', 'alias_indikator', 'audit', 'penduduk_desa'] loop
        execute format('create trigger %I after insert or update or delete or truncate on %I for each statement execute function _pmks_log_tabel()',
                       '_log_' || t, t);
    end loop;
end $$;

-- what the writers look up on a row store (DuckDB scans its columns instead)
create index laporan_desa_periode on laporan (kode_desa, periode) where aktif;
create index laporan_batch on laporan (batch_id);
create index laporan_diganti on laporan (diganti_batch) where diganti_batch is not null;
create index agregat_bulanan_wilayah on agregat_bulanan (kode_wilayah, periode);
create index agregat_laporan_wilayah on agregat_laporan (kode_wilayah, periode);
-- etl/marts.py sums each level from the one below for the parents in `_scope` (left(code, n) = parent)
create index agregat_bulanan_ke_kecamatan on agregat_bulanan (left(kode_wilayah, 8), periode) where tingkat = 'desa';
create index agregat_bulanan_ke_kabupaten on agregat_bulanan (left(kode_wilayah, 5), periode) where tingkat = 'kecamatan';
create index agregat_bulanan_ke_provinsi on agregat_bulanan (left(kode_wilayah, 2), periode) where tingkat = 'kabupaten';
create index agregat_laporan_ke_kecamatan on agregat_laporan (left(kode_wilayah, 8), periode) where tingkat = 'desa';
create index agregat_laporan_ke_kabupaten on agregat_laporan (left(kode_wilayah, 5), periode) where tingkat = 'kecamatan';
create index agregat_laporan_ke_provinsi on agregat_laporan (left(kode_wilayah, 2), periode) where tingkat = 'kabupaten';
create index penduduk_desa_wilayah on penduduk_desa (kode_wilayah, acuan) where aktif;
create index penduduk_desa_batch on penduduk_desa (batch_id);
create index sesi_login on sesi (login) where berakhir is null;
create index audit_aksi on audit (aksi, objek);
create index berkas_impor_sha on berkas_impor (sha256);
