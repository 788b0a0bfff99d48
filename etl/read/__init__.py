"""Stage 1, read: a file's bytes into sheets of cells (`sheets`, run in the sandboxed worker of `sandbox`), and single
cells written by people into counts, months and column letters (`cells`)."""
