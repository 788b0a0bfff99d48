"""A throwaway PostgreSQL cluster for the tests and benchmarks (Debian's `postgresql` package, no service).

`initdb` and `pg_ctl` from /usr/lib/postgresql/<version>/bin run as an unprivileged user, because PostgreSQL refuses
to run as root: when this process is root (CI), as the `postgres` system user that Debian's package creates (through
`runuser`); otherwise as this user. The cluster lives in a fresh folder under /tmp (traversable by that user), listens
on 127.0.0.1 on a free port with `trust` authentication (loopback only, for tests), and is removed by `stop()`.

    cluster = PgCluster.start()
    url = cluster.create_database("pmks")     # postgresql://postgres@127.0.0.1:PORT/pmks
    cluster.restart()                         # a fault test: every connection is cut
    cluster.stop()
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def postgres_bin() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb (Debian 12: 15)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (scripts/test.sh does it)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, root: Path, port: int, user: str | None):
        self.root, self.port, self.user = root, port, user
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.bin = postgres_bin()

    @classmethod
    def start(cls, settings: dict[str, str] | None = None) -> PgCluster:
        user = "postgres" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="pmks-pg-"))
        os.chmod(root, 0o755)
        if user:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        cluster = cls(root, _free_port(), user)
        cluster._run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
                     "--no-sync")
        conf = {"listen_addresses": "'127.0.0.1'", "port": str(cluster.port), "unix_socket_directories": f"'{root}'",
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "200",
                "shared_buffers": "256MB", "log_min_messages": "warning", **(settings or {})}
        with (cluster.data / "postgresql.conf").open("a") as fh:
            fh.writelines(f"{k} = {v}\n" for k, v in conf.items())
        cluster.pg_ctl("start")
        return cluster

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120, cwd=self.root)

    def pg_ctl(self, action: str, *extra: str) -> None:
        args = ["-D", str(self.data), "-w", "-t", "60"]
        if action in ("start", "restart"):
            args += ["-l", str(self.log)]
        self._run("pg_ctl", action, *args, *extra)

    def restart(self, pause: float = 0.0) -> None:
        """Stop the server (cutting every connection, as a restart by the administrator does), wait, start it again."""
        self.pg_ctl("stop", "-m", "fast")
        time.sleep(pause)
        self.pg_ctl("start")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given: fast, for a warehouse prepared once); returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'drop database if exists "{name}" with (force)')

    def stop(self) -> None:
        try:
            self.pg_ctl("stop", "-m", "immediate")
        except subprocess.SubprocessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
