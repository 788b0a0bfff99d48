-- 0011 (PostgreSQL, as the DuckDB migration): many users at once (issue 21). Version counters that caches key on, users and sessions in the warehouse
-- (instead of a rewritten TOML file), keys on the marts so that a duplicate aggregate cannot exist, and demo access as
-- an explicit setting of a demo warehouse.

create table _versi (
    kunci varchar primary key,         -- data | akun | audit
    nilai bigint not null
);
insert into _versi values ('data', 1), ('akun', 1), ('audit', 1);

create table pengguna (
    login varchar primary key,
    nama varchar not null,
    peran varchar not null,            -- pimpinan | staf | analis | admin
    kecamatan varchar not null default '',  -- '' = the whole warehouse
    sandi varchar not null,            -- scrypt$N$r$p$salt$hash
    dibuat timestamp not null,
    diubah timestamp not null
);

create table sesi (
    id varchar primary key,            -- SHA-256 of the token the browser holds; the token itself is never stored
    login varchar not null,
    dibuat timestamp not null,
    kedaluwarsa timestamp not null,
    berakhir timestamp,                -- signed out, new password or user removed
    klien varchar
);

-- The marts are rebuilt by `python -m etl init` right after this migration (rows duplicated by concurrent writers
-- before this release would break the keys).
delete from agregat_bulanan;
delete from agregat_laporan;
alter table agregat_bulanan add primary key (tingkat, kode_wilayah, periode, kode_indikator);
alter table agregat_laporan add primary key (tingkat, kode_wilayah, periode);

-- A warehouse holding the synthetic demo history opened without sign-in before this release: it keeps doing so, now
-- because it says so.
insert into pengaturan
select 'akses_demo', '1'
where exists (select 1 from laporan where sintetis) and not exists (select 1 from pengaturan where kunci = 'akses_demo');
