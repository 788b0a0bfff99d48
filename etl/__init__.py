"""ETL and warehouse of Dasbor PMKS: the only code that writes to the DuckDB warehouse."""
