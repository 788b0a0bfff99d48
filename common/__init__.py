"""Code shared by the ETL (`etl`), the app (`dashboard`, `pages`), `accounts` and `store`: Indonesian number and date
formats (`fmt`), errors whose message is for the user (`errors`), paths and settings (`config`), area codes and
their levels (`areas`) and map geometry (`geometry`)."""
