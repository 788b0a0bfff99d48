"""nginx in front of several app servers for the tests (issue 23): deploy/nginx-pmks.conf rendered with the tests'
ports, run unprivileged-style (its own pid, logs and temporary folders under a fresh folder, a free port on
127.0.0.1, in the foreground of a child process)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, _free_port

TEMPLATE = REPO / "deploy" / "nginx-pmks.conf"


def render(template: str, listen: str, apps: list[int]) -> str:
    """The site file with our listen address and one upstream server line per app port."""
    lines, done = [], False
    for line in template.splitlines():
        if "# uji: app" in line:
            if not done:
                lines += [f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in apps]
                done = True
            continue
        if "# uji: listen" in line:
            line = re.sub(r"listen [^;]+;", f"listen {listen};", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


class Nginx:
    def __init__(self, apps: list[int]):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.root = Path(tempfile.mkdtemp(prefix="pmks-nginx-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.root / folder).mkdir()
            os.chmod(self.root / folder, 0o777)  # the worker may run as nobody when this process is root
        (self.root / "pmks.conf").write_text(render(TEMPLATE.read_text(), f"127.0.0.1:{self.port}", apps))
        (self.root / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {self.root}/access.log;
    client_body_temp_path {self.root}/body;
    proxy_temp_path {self.root}/proxy;
    fastcgi_temp_path {self.root}/fastcgi;
    uwsgi_temp_path {self.root}/uwsgi;
    scgi_temp_path {self.root}/scgi;
    include {self.root}/pmks.conf;
}}
""")
        self.proc = subprocess.Popen([self.binary, "-p", str(self.root), "-c", str(self.root / "nginx.conf"), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {self.proc.stderr.read().decode()}") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("nginx did not answer")

    def log(self) -> str:
        return (self.root / "error.log").read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)
