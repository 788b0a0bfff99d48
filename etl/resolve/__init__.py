"""Stage 3, resolve: names written by people matched to official desa, kecamatan and indicator codes (`match`), and
a report's values resolved into codes, months and counts, with an issue for whatever does not resolve (`reports`).
Desa population files resolve their desa with the same matcher (`etl.write.population`)."""
