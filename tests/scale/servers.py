"""Throwaway servers for the scale tests, from Debian's packages: a PostgreSQL primary and its
streaming replica (pg_basebackup -R) on free ports, PgBouncer in transaction mode, and Celery
workers (several on one broker).

The machine's own cluster is shared and its configuration is not the tests' to change, so the
replica test runs a primary of its own (wal_level=replica, replication allowed from loopback)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.e2e.processes import _port_open, free_port, wait_for

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PGBOUNCER = Path("/usr/sbin/pgbouncer")


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: then run it as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user(command), check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


def server_dir() -> Path:
    """A temporary directory the server user owns."""
    path = Path(tempfile.mkdtemp(prefix="rn-scale-"))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


class PostgresServer:
    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()

    def url(self, database: str) -> str:
        return f"postgis://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def primary(cls, root: Path) -> "PostgresServer":
        server = cls(root / "primary")
        _run([str(PG_BIN / "initdb"), "-D", str(server.data_dir), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--no-instructions"])
        # initdb's pg_hba.conf already lets loopback connect, replication included (trust).
        with (server.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n"
                       "full_page_writes = off\nshared_buffers = 32MB\n")
        server.start()
        return server

    def replica(self, root: Path) -> "PostgresServer":
        replica = PostgresServer(root / "replica")
        _run([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
              "-D", str(replica.data_dir), "-R", "-X", "stream", "--checkpoint=fast"])
        replica.start()
        return replica

    def start(self) -> None:
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.data_dir / "server.log"), "-w",
              "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data_dir}",
              "start"])
        wait_for(lambda: _port_open(self.port), f"PostgreSQL on {self.port}")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            _run([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"])

    def psql(self, database: str, sql: str = "", **kwargs) -> str:
        return _run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                     "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", *(["-c", sql] if sql else [])],
                    **kwargs).stdout.strip()


def copy_database(*, source_url: dict, target: PostgresServer, name: str) -> None:
    """The test database (schema and reference data), copied into `target` as `name`."""
    target.psql("postgres", f'CREATE DATABASE "{name}"')
    dump = subprocess.run(  # noqa: S603
        [str(PG_BIN / "pg_dump"), "-h", source_url["HOST"] or "127.0.0.1", "-p", str(source_url["PORT"] or 5432),
         "-U", source_url["USER"], "--no-owner", source_url["NAME"]],
        check=True, capture_output=True, text=True,
    ).stdout
    target.psql(name, input=dump)


class PgBouncer:
    """PgBouncer in transaction pooling mode in front of one database."""

    def __init__(self, *, database: dict, root: Path, pool_size: int = 4):
        self.port = free_port()
        self.root = root
        self.ini = root / "pgbouncer.ini"
        self.ini.write_text(
            "[databases]\n"
            f"{database['NAME']} = host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} "
            f"dbname={database['NAME']} user={database['USER']}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {root / 'users.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {pool_size}\nmax_client_conn = 100\n"
            f"logfile = {root / 'pgbouncer.log'}\n"
            "admin_users = postgres\n"
        )
        (root / "users.txt").write_text(f'"{database["USER"]}" ""\n')
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603
            _as_server_user([str(PGBOUNCER), str(self.ini)]), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _port_open(self.port) or self.process.poll() is not None, "PgBouncer")
        assert self.process.poll() is None, (self.root / "pgbouncer.log").read_text()
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def show(self, what: str) -> str:
        """An admin console query (SHOW POOLS, SHOW CONFIG)."""
        return subprocess.run(  # noqa: S603
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "pgbouncer",
             "-qAt", "-c", f"SHOW {what}"], check=True, capture_output=True, text=True,
        ).stdout


