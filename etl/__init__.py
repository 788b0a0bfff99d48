"""ETL of Dasbor PMKS: reads the files people send and writes the DuckDB/PostgreSQL warehouse (the only code that writes
facts to it). Each folder is one stage a file passes, shared by every kind of file (PSM reports and desa population):

1. `etl.read`      the file's bytes into sheets of cells, in a sandboxed child process; single cells parsed
2. `etl.find`      the tables of a sheet by evidence, their values and totals, and what the sheet says about itself
3. `etl.resolve`   names written by people matched to official desa, kecamatan and indicator codes; months and counts
4. `etl.check`     the rules of an import and the totals a sheet writes, checked against the counts read
5. `etl.write`     batches, reports and population written to the warehouse, undone, and the marts refreshed

Beside the stages: `etl.reference` (the official gazetteer, the indicator catalogue, census population and desa
boundaries, loaded by `etl init` and `etl boundaries`) and `etl.cli` (`python -m etl`: the commands, the per-file
report in Bahasa Indonesia, and the blank forms). Code shared with the app (formatting, errors, settings) is in
`common`.
"""
