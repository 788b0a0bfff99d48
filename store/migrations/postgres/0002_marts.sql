-- 0002 (PostgreSQL, as the DuckDB migration): monthly totals per desa (active values only, denormalised), kecamatan, kabupaten, provinsi and the
-- whole warehouse ('' code), so that dashboards never join or scan the fact tables. Kept current by etl.marts inside the
-- same transaction as every write of reports; `python -m etl init` fills them when this migration is applied.

create table agregat_bulanan (
    tingkat varchar not null,          -- desa | kecamatan | kabupaten | provinsi | semua (rows are stored level by level,
                                       -- so a filter on it skips whole row groups)
    kode_wilayah varchar not null,     -- desa, kecamatan, kabupaten or provinsi code; '' = whole warehouse
    periode date not null,
    kode_indikator varchar not null,
    jumlah bigint not null,
    laki_laki bigint,
    perempuan bigint
);

create table agregat_laporan (
    tingkat varchar not null,
    kode_wilayah varchar not null,
    periode date not null,
    laporan integer not null,          -- active reports of the desa in the area
    semua_nol integer not null,        -- of which every count is zero
    jumlah bigint not null             -- total of every value of those reports (all indicators)
);
