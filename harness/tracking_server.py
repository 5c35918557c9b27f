"""A shared tracking server on one machine: PostgreSQL for the runs, a folder for the artifacts, MLflow's server in front.

`assure tracking-server FOLDER` starts both on loopback and serves until Ctrl-C; every assure command
then works unchanged with `MLFLOW_TRACKING_URI=http://127.0.0.1:PORT`. Artifacts go through the server
(`--serve-artifacts`), so clients need no access to the artifact folder. PostgreSQL's own binaries
(Debian's `postgresql` package: `make postgres`) are found on PATH, under `ASSURE_PG_BIN`, or in
`/usr/lib/postgresql/*/bin`. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
user (else `nobody`), who then owns the database folder. The database user `assure` gets a random
password, kept in `FOLDER/postgres.password` (mode 0600) and passed to MLflow through its environment,
never on a command line. For a council's server on its own host, see `ci/tracking-server/compose.yaml`.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Optional, Self

import typer

from ._env import TELEMETRY_OFF
from .errors import InputError

DB_USER = "assure"
DATABASE = "mlflow"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path:
    """The folder with PostgreSQL's initdb, pg_ctl and postgres (bad input when there is none)."""
    candidates = [os.environ.get("ASSURE_PG_BIN", "")]
    found = shutil.which("pg_ctl")
    candidates.append(str(Path(found).resolve().parent) if found else "")
    candidates += [str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
    for folder in filter(None, candidates):
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise InputError.single("PostgreSQL", "initdb, pg_ctl and postgres not found: install Debian's postgresql "
                            "(`make postgres`) or set ASSURE_PG_BIN to their folder")


def _os_user() -> str | None:
    """Who runs PostgreSQL: nobody special unless we are root (postgres, else nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise InputError.single("PostgreSQL", "running as root and there is no postgres or nobody user to run it as")


@dataclass
class Postgres:
    """A PostgreSQL cluster in `folder/pgdata`, listening on 127.0.0.1:`port`."""

    folder: Path
    port: int
    password: str
    bin_dir: Path
    os_user: str | None

    def uri(self, database: str = DATABASE) -> str:
        return f"postgresql://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [*(["runuser", "-u", self.os_user, "--"] if self.os_user else []), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:1])} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        return done

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "pgdata"), "-m", "fast", "-w", "stop", check=False)


def start_postgres(folder: Path, port: int | None = None) -> Postgres:
    """Initialise (first time only) and start PostgreSQL in `folder`, with a database `mlflow`."""
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    bin_dir, os_user = postgres_bin(), _os_user()
    secret = folder / "postgres.password"
    if not secret.is_file():
        secret.write_text(secrets.token_urlsafe(24), encoding="utf-8")
    secret.chmod(0o600)
    server = Postgres(folder, port or free_port(), secret.read_text(encoding="utf-8").strip(), bin_dir, os_user)
    if os_user:
        _give_to(folder, os_user)
    data = folder / "pgdata"
    if not (data / "PG_VERSION").is_file():
        server._run(str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER, f"--pwfile={secret}", "--auth=scram-sha-256",
                    "-E", "UTF8", "--no-instructions")
    options = f"-c listen_addresses=127.0.0.1 -p {server.port} -k ''"  # TCP on loopback only, no Unix socket
    server._run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "postgres.log"), "-o", options, "-w", "start")
    _create_database(server)
    return server


def _give_to(folder: Path, user: str) -> None:
    """Hand `folder` to `user` and check that user can reach it (every folder above must let it through)."""
    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o700)
    for path in folder.glob("postgres.*"):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    probe = subprocess.run(["runuser", "-u", user, "--", "test", "-w", str(folder)], capture_output=True, timeout=30)
    if probe.returncode != 0:
        raise InputError.single(folder, f"PostgreSQL runs as {user!r} (not as root), who cannot reach this folder: "
                                "choose one every user can pass through, e.g. under /tmp or /srv")


def _create_database(server: Postgres) -> None:
    try:
        import psycopg
    except ImportError:
        raise InputError.single("PostgreSQL", "psycopg is not installed: pip install 'assure[scale]'") from None

    with psycopg.connect(server.uri("postgres"), autocommit=True, connect_timeout=30) as db:
        if db.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            db.execute(f"CREATE DATABASE {DATABASE}")


@dataclass
class TrackingServer:
    """PostgreSQL and an MLflow server with served artifacts, both on loopback; a context manager."""

    folder: Path
    port: int = 0
    postgres_port: int | None = None
    workers: int = 2
    postgres: Postgres | None = None
    process: subprocess.Popen[bytes] | None = None
    _log: object = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> Self:
        self.folder = self.folder.resolve()
        self.postgres = start_postgres(self.folder, self.postgres_port)
        self.port = self.port or free_port()
        artifacts = self.folder / "artifacts"
        artifacts.mkdir(exist_ok=True)
        env = {**os.environ, **TELEMETRY_OFF, "MLFLOW_BACKEND_STORE_URI": self.postgres.uri()}
        command = [str(Path(sys.executable).parent / "mlflow"), "server", "--artifacts-destination", str(artifacts),
                   "--serve-artifacts", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        log = (self.folder / "mlflow.log").open("ab")
        self._log = log
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.uri}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        tail = (self.folder / "mlflow.log").read_text(encoding="utf-8", errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"the MLflow server did not come up on {self.uri}:\n{tail}")

    def stop(self) -> None:
        """Stop MLflow (its whole process group) and PostgreSQL."""
        if self.process is not None and self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):  # open keep-alive clients stall a graceful stop
                try:
                    os.killpg(self.process.pid, sig)
                    self.process.wait(wait)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
            self._log = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def register(app: typer.Typer) -> None:
    """Add `tracking-server` to the CLI."""

    @app.command("tracking-server")
    def tracking_server(
        folder: Annotated[Path, typer.Argument(help="Folder for the database, the artifacts and the logs (kept between starts).")],
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="MLflow server port on 127.0.0.1.")] = 5000,
        postgres_port: Annotated[Optional[int], typer.Option("--postgres-port", min=1, max=65535,
                                                             help="PostgreSQL port on 127.0.0.1 (default: a free one).")] = None,
        workers: Annotated[int, typer.Option("--workers", min=1, help="MLflow server worker processes.")] = 2,
    ) -> None:
        """Serve a shared MLflow tracking store (PostgreSQL, served artifacts) on loopback until Ctrl-C."""
        from .console import console

        def interrupt(*_: object) -> None:
            raise KeyboardInterrupt

        for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C, or a service manager's stop: both stop both servers
            signal.signal(sig, interrupt)
        server = TrackingServer(folder, port, postgres_port, workers)
        with server:
            console.print(f"MLflow tracking server on {server.uri} (PostgreSQL on 127.0.0.1:{server.postgres.port}, "  # type: ignore[union-attr]
                          f"artifacts in {server.folder / 'artifacts'}); Ctrl-C stops both.", highlight=False)
            console.print(f"export MLFLOW_TRACKING_URI={server.uri}", highlight=False)
            try:
                while server.process is not None and server.process.poll() is None:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
