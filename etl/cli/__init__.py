"""`python -m etl` (`main`): the commands (`admin`, `warehouse`, `common`), the import of each kind of file with its
report in Bahasa Indonesia (`reports`, `population`; the upload page reuses their check and write), and the blank
PSM form (`template`)."""
