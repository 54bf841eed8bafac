"""A throwaway PostgreSQL server for the test run.

    with PostgresServer() as pg:
        pg.create_database("kiosk_test")
        url = pg.url("kiosk_test")   # postgresql://kiosk@127.0.0.1:PORT/kiosk_test

The cluster lives in a fresh directory under /tmp and is deleted on exit, so
tests never touch (or depend on) a system-wide PostgreSQL service.
"""
from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "kiosk"
# PostgreSQL refuses to run as root, so as root we run it as this system user.
RUN_AS = "kioskpg"
START_TIMEOUT = 30  # seconds


def _find_bindir() -> Path | None:
    """PG_BINDIR if set, else Debian's newest /usr/lib/postgresql/N/bin, else PATH."""
    if os.environ.get("PG_BINDIR"):
        candidates = [os.environ["PG_BINDIR"]]  # explicit choice: no silent fallback
    else:
        def version(d: str) -> tuple[int, ...]:
            return tuple(int(n) for n in re.findall(r"\d+", Path(d).parent.name))
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
        if shutil.which("initdb"):  # e.g. Homebrew or a distro that puts it on PATH
            candidates.append(str(Path(shutil.which("initdb")).parent))
    for d in candidates:
        if all(os.access(Path(d, exe), os.X_OK) for exe in ("initdb", "pg_ctl")):
            return Path(d)
    return None


def _drop_root_prefix() -> list[str] | None:
    """Command prefix that runs a program as RUN_AS (only used when we are root)."""
    if runuser := shutil.which("runuser") or shutil.which("/usr/sbin/runuser"):
        return [runuser, "-u", RUN_AS, "--"]
    if setpriv := shutil.which("setpriv"):
        gid = pwd.getpwnam(RUN_AS).pw_gid
        return [setpriv, f"--reuid={RUN_AS}", f"--regid={gid}", "--init-groups", "--"]
    return None


def _free_port() -> int:
    # The kernel hands out an unused port; there is a tiny race between closing
    # this socket and postgres binding it, which is acceptable for tests.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        self.tmpdir: Path | None = None  # holds data/, server.log and the unix socket
        self.port: int = 0
        self._bindir = _find_bindir()
        self._prefix: list[str] = []
        self._running = False

    @staticmethod
    def available() -> str | None:
        """None if a server can be started here, else a one-line reason why not."""
        if _find_bindir() is None:
            where = os.environ.get("PG_BINDIR") or "/usr/lib/postgresql/*/bin or PATH"
            return f"PostgreSQL server binaries (initdb, pg_ctl) not in {where}; install 'postgresql'"
        if os.geteuid() == 0 and not any(map(shutil.which, ("runuser", "/usr/sbin/runuser", "setpriv"))):
            return "running as root but neither runuser nor setpriv is available to drop privileges"
        return None

    def url(self, dbname: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    # -- lifecycle -----------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if reason := self.available():
            raise RuntimeError(reason)
        # Registered first, so an interrupted start (Ctrl-C mid-initdb) or a test
        # run that never reaches teardown still stops the server and removes files.
        # pg_ctl puts the postmaster in its own session, so Ctrl-C never reaches it.
        atexit.register(self.stop)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        # Under /tmp explicitly: the unix socket path must stay short (<108 bytes)
        # and, as root, every parent must be traversable by RUN_AS (root's TMPDIR
        # might not be).
        self.tmpdir = Path(tempfile.mkdtemp(prefix="kiosk-pg-", dir="/tmp"))
        self.tmpdir.chmod(0o755)
        if os.geteuid() == 0:
            self._ensure_run_as_user()
            shutil.chown(self.tmpdir, RUN_AS, pwd.getpwnam(RUN_AS).pw_gid)
            self._prefix = _drop_root_prefix() or []
        data = self.tmpdir / "data"

        # C.UTF-8 gives UTF-8 collation semantics without needing generated
        # locales; plain C is the always-present fallback.
        for locale in ("C.UTF-8", "C"):
            shutil.rmtree(data, ignore_errors=True)
            init = self._run("initdb", "-D", data, "-U", SUPERUSER, "--auth=trust",
                             "-E", "UTF8", f"--locale={locale}", "--no-sync", check=False)
            if init.returncode == 0:
                break
        else:
            raise RuntimeError(f"initdb failed:\n{init.stdout}{init.stderr}")

        self.port = _free_port()
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# kiosk test server\n"
                f"listen_addresses = '127.0.0.1'\n"  # never reachable from outside
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.tmpdir}'\n"  # not /var/run/postgresql
                # Durability is pointless for a throwaway cluster and costs time.
                f"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                f"shared_buffers = 32MB\nmax_connections = 50\n"
            )

        # -w makes pg_ctl wait until the postmaster reports it accepts connections.
        self._running = True  # from here on stop() must try pg_ctl stop, even on failure
        started = self._run("pg_ctl", "start", "-D", data, "-l", self.tmpdir / "server.log",
                            "-w", "-t", str(START_TIMEOUT), check=False,
                            timeout=START_TIMEOUT + 10)
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{started.stdout}{started.stderr}"
                               f"--- server.log (tail) ---\n{self._log_tail()}")
        # Belt and braces: prove a real client connection over TCP works.
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError as e:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"cannot connect to test PostgreSQL: {e}\n"
                                       f"--- server.log (tail) ---\n{self._log_tail()}") from e
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server and delete its files. Safe to call more than once."""
        atexit.unregister(self.stop)
        if self._running and self.tmpdir:
            self._running = False
            data = self.tmpdir / "data"
            # Immediate: no checkpoint, the data is thrown away anyway.
            try:
                stopped = self._run("pg_ctl", "stop", "-D", data, "-m", "immediate", "-w",
                                    check=False, timeout=30).returncode == 0
            except subprocess.TimeoutExpired:
                stopped = False
            if not stopped:
                self._kill_leftover_postmaster(data)
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    # -- database helpers ----------------------------------------------------

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        # FORCE disconnects leftover sessions (e.g. a leaked test connection).
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))

    # -- internals -----------------------------------------------------------

    def _run(self, exe: str, *args: object, check: bool = True,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
        assert self._bindir and self.tmpdir
        cmd = [*self._prefix, str(self._bindir / exe), *map(str, args)]
        # cwd: RUN_AS may not be allowed into the caller's cwd (e.g. under /root).
        return subprocess.run(cmd, cwd=self.tmpdir, capture_output=True, text=True,
                              check=check, timeout=timeout, stdin=subprocess.DEVNULL)

    @staticmethod
    def _ensure_run_as_user() -> None:
        try:
            pwd.getpwnam(RUN_AS)
            return
        except KeyError:
            pass
        made = subprocess.run(["useradd", "--system", "--no-create-home",
                               "--shell", "/usr/sbin/nologin", RUN_AS],
                              capture_output=True, text=True)
        try:
            pwd.getpwnam(RUN_AS)  # a parallel test process may have created it
        except KeyError:
            raise RuntimeError(f"could not create user {RUN_AS}: {made.stderr.strip()}") from None

    @staticmethod
    def _kill_leftover_postmaster(data: Path) -> None:
        # pg_ctl stop failed or hung: don't leak a server. Check the pid really is
        # our postmaster (started with "-D <data>") before killing it as root.
        try:
            pid = int((data / "postmaster.pid").read_text().split()[0])
            if str(data).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = Path(self.tmpdir or "", "server.log").read_text(errors="replace")
        except OSError:
            return "(no server.log)"
        return "\n".join(text.splitlines()[-lines:])
