"""Stage 4, check: the validation rules of an import (`rules`) and every total a sheet writes compared with the
counts read (`totals`)."""
