-- 0027 (PostgreSQL, as the DuckDB migration): each area x month's total of every indicator in a column of its own (`jumlah_fm`, …; common/indicators.py), beside
-- its total over all of them (`jumlah`), so that a page asking about chosen indicators over every desa of a year (the
-- trend's like-for-like line, the sharpest rises) reads one row per desa and month instead of 26 (README, issue 23).
-- Filled here from the per-indicator marts (the same totals), in this migration's transaction; kept current by
-- etl/write/marts.py with every write from then on.

alter table agregat_laporan add column jumlah_abt bigint not null default 0;
alter table agregat_laporan add column jumlah_at bigint not null default 0;
alter table agregat_laporan add column jumlah_abh bigint not null default 0;
alter table agregat_laporan add column jumlah_aj bigint not null default 0;
alter table agregat_laporan add column jumlah_adk bigint not null default 0;
alter table agregat_laporan add column jumlah_aktk bigint not null default 0;
alter table agregat_laporan add column jumlah_ampk bigint not null default 0;
alter table agregat_laporan add column jumlah_lut bigint not null default 0;
alter table agregat_laporan add column jumlah_pd bigint not null default 0;
alter table agregat_laporan add column jumlah_ts bigint not null default 0;
alter table agregat_laporan add column jumlah_gld bigint not null default 0;
alter table agregat_laporan add column jumlah_pgm bigint not null default 0;
alter table agregat_laporan add column jumlah_pml bigint not null default 0;
alter table agregat_laporan add column jumlah_km bigint not null default 0;
alter table agregat_laporan add column jumlah_bwblp bigint not null default 0;
alter table agregat_laporan add column jumlah_odha bigint not null default 0;
alter table agregat_laporan add column jumlah_napza bigint not null default 0;
alter table agregat_laporan add column jumlah_ktr bigint not null default 0;
alter table agregat_laporan add column jumlah_ktk bigint not null default 0;
alter table agregat_laporan add column jumlah_pmbs bigint not null default 0;
alter table agregat_laporan add column jumlah_kba bigint not null default 0;
alter table agregat_laporan add column jumlah_kbs bigint not null default 0;
alter table agregat_laporan add column jumlah_prse bigint not null default 0;
alter table agregat_laporan add column jumlah_fm bigint not null default 0;
alter table agregat_laporan add column jumlah_kbsp bigint not null default 0;
alter table agregat_laporan add column jumlah_kat bigint not null default 0;

update agregat_laporan set
    jumlah_abt = p.jumlah_abt,
    jumlah_at = p.jumlah_at,
    jumlah_abh = p.jumlah_abh,
    jumlah_aj = p.jumlah_aj,
    jumlah_adk = p.jumlah_adk,
    jumlah_aktk = p.jumlah_aktk,
    jumlah_ampk = p.jumlah_ampk,
    jumlah_lut = p.jumlah_lut,
    jumlah_pd = p.jumlah_pd,
    jumlah_ts = p.jumlah_ts,
    jumlah_gld = p.jumlah_gld,
    jumlah_pgm = p.jumlah_pgm,
    jumlah_pml = p.jumlah_pml,
    jumlah_km = p.jumlah_km,
    jumlah_bwblp = p.jumlah_bwblp,
    jumlah_odha = p.jumlah_odha,
    jumlah_napza = p.jumlah_napza,
    jumlah_ktr = p.jumlah_ktr,
    jumlah_ktk = p.jumlah_ktk,
    jumlah_pmbs = p.jumlah_pmbs,
    jumlah_kba = p.jumlah_kba,
    jumlah_kbs = p.jumlah_kbs,
    jumlah_prse = p.jumlah_prse,
    jumlah_fm = p.jumlah_fm,
    jumlah_kbsp = p.jumlah_kbsp,
    jumlah_kat = p.jumlah_kat
from (
    select tingkat, kode_wilayah, periode,
           coalesce(sum(jumlah) filter (where kode_indikator = 'ABT'), 0) as jumlah_abt,
           coalesce(sum(jumlah) filter (where kode_indikator = 'AT'), 0) as jumlah_at,
           coalesce(sum(jumlah) filter (where kode_indikator = 'ABH'), 0) as jumlah_abh,
           coalesce(sum(jumlah) filter (where kode_indikator = 'AJ'), 0) as jumlah_aj,
           coalesce(sum(jumlah) filter (where kode_indikator = 'ADK'), 0) as jumlah_adk,
           coalesce(sum(jumlah) filter (where kode_indikator = 'AKTK'), 0) as jumlah_aktk,
           coalesce(sum(jumlah) filter (where kode_indikator = 'AMPK'), 0) as jumlah_ampk,
           coalesce(sum(jumlah) filter (where kode_indikator = 'LUT'), 0) as jumlah_lut,
           coalesce(sum(jumlah) filter (where kode_indikator = 'PD'), 0) as jumlah_pd,
           coalesce(sum(jumlah) filter (where kode_indikator = 'TS'), 0) as jumlah_ts,
           coalesce(sum(jumlah) filter (where kode_indikator = 'GLD'), 0) as jumlah_gld,
           coalesce(sum(jumlah) filter (where kode_indikator = 'PGM'), 0) as jumlah_pgm,
           coalesce(sum(jumlah) filter (where kode_indikator = 'PML'), 0) as jumlah_pml,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KM'), 0) as jumlah_km,
           coalesce(sum(jumlah) filter (where kode_indikator = 'BWBLP'), 0) as jumlah_bwblp,
           coalesce(sum(jumlah) filter (where kode_indikator = 'ODHA'), 0) as jumlah_odha,
           coalesce(sum(jumlah) filter (where kode_indikator = 'NAPZA'), 0) as jumlah_napza,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KTR'), 0) as jumlah_ktr,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KTK'), 0) as jumlah_ktk,
           coalesce(sum(jumlah) filter (where kode_indikator = 'PMBS'), 0) as jumlah_pmbs,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KBA'), 0) as jumlah_kba,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KBS'), 0) as jumlah_kbs,
           coalesce(sum(jumlah) filter (where kode_indikator = 'PRSE'), 0) as jumlah_prse,
           coalesce(sum(jumlah) filter (where kode_indikator = 'FM'), 0) as jumlah_fm,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KBSP'), 0) as jumlah_kbsp,
           coalesce(sum(jumlah) filter (where kode_indikator = 'KAT'), 0) as jumlah_kat
    from agregat_bulanan group by 1, 2, 3
) as p
where p.tingkat = agregat_laporan.tingkat and p.kode_wilayah = agregat_laporan.kode_wilayah and p.periode = agregat_laporan.periode;
