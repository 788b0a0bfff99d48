-- 0003 (PostgreSQL, as the DuckDB migration): a coarser map geometry for maps that span more than one kabupaten (a province-wide kecamatan map).
-- Prepared at import like geom_peta; null for boundaries imported before it (maps then use geom_peta).
alter table batas_wilayah add column geom_peta_ringkas varchar;
