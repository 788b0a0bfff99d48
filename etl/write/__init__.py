"""Stage 5, write: each kind of file from its bytes to the warehouse (`reports`: PSM reports, `population`: desa
population; each analyses without writing, then commits in one transaction), the writes themselves, aliases and
rollback (`load`), the pre-aggregated marts refreshed with every write (`marts`), and the synthetic demo history
(`demo`)."""
