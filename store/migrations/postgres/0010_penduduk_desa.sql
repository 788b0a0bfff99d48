-- 0010 (PostgreSQL, as the DuckDB migration; `strpos` for DuckDB's `contains`): desa population loaded from the files the office receives (Dukcapil semester data, BPS "Kecamatan Dalam
-- Angka", village profiles), with their source, reference date and file. Replaced figures are kept (aktif = false)
-- so that a rollback restores them exactly, as for PMKS reports.
create sequence seq_penduduk_desa start 1;
create table penduduk_desa (
    id bigint primary key default nextval('seq_penduduk_desa'),
    kode_wilayah varchar not null,     -- desa code
    acuan date not null,               -- reference date: 30 June (semester I) or 31 December (semester II, a year)
    acuan_label varchar not null,      -- as given: '2025-S2', '2025'
    sumber varchar not null,           -- dukcapil | bps | desa | lainnya
    jumlah bigint not null,
    laki_laki bigint,
    perempuan bigint,
    perkiraan boolean not null default false,
    sintetis boolean not null default false,
    batch_id integer not null,
    nama_berkas varchar not null,
    sha256 varchar not null,
    sheet varchar,
    baris integer,
    diterima timestamp not null,
    aktif boolean not null default true,
    diganti_batch integer
);

-- Every population figure a rate may use, one shape: the census/CSV table `penduduk` (a year counts from January of
-- that year, as before) and the active desa figures above. `label` names source and date for hover, table and export;
-- `berkas` the provenance (the census row's source text, or file name, SHA-256 and batch).
create view penduduk_acuan as
select kode_wilayah, make_date(tahun, 1, 1) as acuan, jumlah, laki_laki, perempuan, perkiraan, sintetis,
       case when strpos(split_part(sumber, ' — ', 1), tahun::varchar) > 0 then split_part(sumber, ' — ', 1)
            else split_part(sumber, ' — ', 1) || ', ' || tahun end as label,
       sumber as berkas
from penduduk
union all
select kode_wilayah, acuan, jumlah, laki_laki, perempuan, perkiraan, sintetis,
       case when sintetis then 'Perkiraan sintetis (demo)'
            else case sumber when 'dukcapil' then 'Dukcapil' when 'bps' then 'BPS' when 'desa' then 'Profil desa' else 'Lainnya' end end
       || ' ' || case when acuan_label like '%-S1' then 'Semester I ' || left(acuan_label, 4)
                      when acuan_label like '%-S2' then 'Semester II ' || left(acuan_label, 4)
                      else acuan_label end
       || case when perkiraan and not sintetis then ' (perkiraan)' else '' end as label,
       nama_berkas || ' (SHA-256 ' || left(sha256, 12) || ', batch ' || batch_id::varchar || ')' as berkas
from penduduk_desa where aktif;
