"""bench_load.py against several app processes (issue 23): the warehouse moved into a throwaway PostgreSQL cluster
(tests/pgcluster.py) and N `streamlit run server.py` behind nginx (deploy/nginx-pmks.conf via tests/nginx.py)."""

from __future__ import annotations

import os
from pathlib import Path


def on_postgres(db: Path):
    """(cluster, URL): the DuckDB warehouse `db` copied into a database of a new throwaway cluster."""
    from store import close_all
    from store.postgres import PostgresStore
    from store.transfer import copy_to_postgres
    from tests.pgcluster import PgCluster

    cluster = PgCluster.start()
    url = cluster.create_database("bench_load")
    copy_to_postgres(db, PostgresStore(url))
    close_all()
    return cluster, url


class Farm:
    """Several app processes on one PostgreSQL warehouse behind nginx (deploy/nginx-pmks.conf), one cookie secret
    (issue 23): `url` is nginx's; `cpu()` adds up the processes."""

    def __init__(self, env: dict, log: Path, servers: int):
        from bench.browser_support import Server
        from tests.nginx import Nginx

        env = {**env, "STREAMLIT_SERVER_COOKIE_SECRET": os.urandom(24).hex()}
        self.servers = [Server("server.py", env, log.with_name(f"app{i}.log")) for i in range(1, servers + 1)]
        self.nginx = Nginx([s.port for s in self.servers])
        self.url = self.nginx.url

    def cpu(self) -> float:
        return sum(s.cpu() for s in self.servers)

    def stop(self) -> None:
        self.nginx.stop()
        for s in self.servers:
            s.stop()
