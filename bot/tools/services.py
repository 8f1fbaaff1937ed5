"""The servers a scaled deployment runs beside ours, from Debian's packages: PostgreSQL, Redis, nginx.

Each keeps its files in one folder and listens on loopback only. The scaled launcher and the tests
start them the same way, so what the tests prove is what `make run-scaled` runs.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

READY_TIMEOUT_S = 30


class ServiceMissing(RuntimeError):
    """A Debian package is not installed; the message says which (`make system-deps` installs it)."""


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def program(name: str) -> str:
    """A server program on PATH or in PostgreSQL's versioned folder."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None) \
        or next(iter(glob.glob(f"/usr/sbin/{name}")), None)
    if found is None:
        raise ServiceMissing(f"{name} is missing: `make system-deps` installs it (postgresql, redis-server, nginx)")
    return found


def _as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; CI runs as root, so the server runs as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _wait_for_port(port: int, name: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port} within {READY_TIMEOUT_S} s")


class Postgres:
    """A PostgreSQL cluster in `home` (made on first use, kept between runs) on a loopback port."""

    def __init__(self, home: Path, port: int) -> None:
        """Initdb into home/data unless a cluster is there already."""
        self.home, self.data, self.port = home, home / "data", port
        if not self.data.exists():
            home.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(home, "postgres")
            subprocess.run(_as_postgres_user([program("initdb"), "-D", str(self.data), "-A", "trust", "-U",
                                              "postgres", "-E", "UTF8", "--no-locale"]),
                           check=True, capture_output=True)

    @property
    def url(self) -> str:
        """SQLAlchemy URL without a database name."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        subprocess.run(_as_postgres_user([program("pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                                          "-l", str(self.home / "log"), "start"]), check=True, capture_output=True)

    def stop(self) -> None:
        """Stop at once, as a crash or an unplugged database server would."""
        subprocess.run(_as_postgres_user([program("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)

    def database(self, name: str) -> str:
        """The URL of a database on this server, created if it is not there yet."""
        import psycopg2

        admin = psycopg2.connect(self.url.replace("postgresql+psycopg2", "postgresql") + "/postgres")
        admin.autocommit = True
        cursor = admin.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        return f"{self.url}/{name}"

    def remove(self) -> None:
        """Stop and delete everything."""
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class Redis:
    """A Redis server on a loopback port, nothing written to disk (locks and messages are short-lived)."""

    def __init__(self, home: Path, port: int) -> None:
        """Where it runs; nothing starts yet."""
        self.home, self.port = home, port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """redis:// URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start as a child and wait until it listens."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [program("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.home), "--logfile", str(self.home / "redis.log")],
            start_new_session=True)
        _wait_for_port(self.port, "redis-server")

    def stop(self) -> None:
        """Stop the server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Nginx:
    """nginx in front of everything on one public port, with its configuration in `home`."""

    def __init__(self, home: Path, config: str) -> None:
        """Write the configuration; nothing starts yet."""
        self.home = home
        for folder in ("logs", "spool"):
            (home / folder).mkdir(parents=True, exist_ok=True)
        self.config = home / "nginx.conf"
        self.config.write_text(config, encoding="utf-8")

    def argv(self) -> list[str]:
        """The command line that runs it in the foreground as a child of the launcher."""
        return [program("nginx"), "-p", str(self.home), "-c", str(self.config), "-g", "daemon off;"]
