"""Reference data the stages resolve against and the dashboard divides by and draws: the official gazetteer
(`wilayah`), the indicator catalogue (`indikator`), census population (`census`) and desa boundaries (`boundaries`,
`shipped_boundaries`), loaded by `python -m etl init` and `python -m etl boundaries`."""
