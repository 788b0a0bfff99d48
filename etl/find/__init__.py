"""Stage 2, find: the tables of a sheet by evidence and every number in them accounted for (`grid`, `lexicon`,
`tables`, `columns`, `body`, `longtable`, `values`, `reading`), what the sheet says about itself above its table
(`context`), and the values of each kind of file (`reports`: PMKS counts, `population`: desa population)."""
