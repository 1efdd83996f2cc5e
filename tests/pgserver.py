"""A throwaway PostgreSQL cluster for the test session.

Uses ``IDGOV_TEST_POSTGRES_URL`` (an admin URL to an existing server) when set; otherwise
runs ``initdb``/``pg_ctl`` from Debian's packages in a temporary folder on a free loopback
port, as the ``postgres`` user when we are root (PostgreSQL refuses to run as root).
Returns None, with the reason, when neither is possible, so tests skip with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field


@dataclass
class PgServer:
    admin_url: str  # postgresql://user@host:port/postgres
    _stop: list[str] = field(default_factory=list)
    _owner: str | None = None
    datadir: str | None = None

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = "idgov_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self._stop:
            subprocess.run(self._stop, capture_output=True, check=False)
        if self.datadir:
            shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def _bindir() -> str | None:
    for cand in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(cand, "initdb")):
            return cand
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start() -> tuple[PgServer | None, str]:
    url = os.environ.get("IDGOV_TEST_POSTGRES_URL")
    if url:
        return PgServer(admin_url=url), ""
    bindir = _bindir()
    if bindir is None:
        return None, "PostgreSQL binaries not found (apt-get install postgresql; .ci/run does)"
    root = os.geteuid() == 0
    base = tempfile.mkdtemp(prefix="idgov-pg-")
    datadir = os.path.join(base, "data")
    prefix: list[str] = []
    user = "postgres" if root else os.environ.get("USER", "postgres")
    if root:
        if shutil.which("runuser") is None:
            return None, "running as root without runuser: cannot start PostgreSQL"
        shutil.chown(base, user="postgres")
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    init = subprocess.run(
        [*prefix, f"{bindir}/initdb", "-D", datadir, "-A", "trust", "-U", user, "--no-sync"],
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        return None, f"initdb failed: {init.stderr.strip().splitlines()[-1:]}"
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c max_connections=200"
    ctl = subprocess.run(
        [*prefix, f"{bindir}/pg_ctl", "-D", datadir, "-o", opts, "-w", "-t", "60",
         "-l", os.path.join(base, "log"), "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    if ctl.returncode != 0:
        return None, f"pg_ctl start failed: {ctl.stderr.strip()[-300:]}"
    server = PgServer(
        admin_url=f"postgresql://{user}@127.0.0.1:{port}/postgres",
        _stop=[*prefix, f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"],
        datadir=datadir,
    )
    deadline = time.time() + 30
    import psycopg

    while True:
        try:
            psycopg.connect(server.admin_url).close()
            break
        except psycopg.OperationalError:
            if time.time() > deadline:
                server.stop()
                return None, "PostgreSQL did not accept connections within 30 s"
            time.sleep(0.2)
    return server, ""
