"""A throwaway OpenSSH server on 127.0.0.1 for the remote-review tests.

Debian's sshd with its own config, host key, pid file and port, and a throwaway system user whose
sessions are forced into one command (the README's `Match User` block, as an owner's would be). The
client side is the OpenSSH client, usually inside tmux so the test reads the screen a person would.

Needs root (to create the user and because sshd insists on it) and the openssh-server package;
`available()` says why not when either is missing, so the test can skip with that reason.

Known snags, handled here: sshd wants /run/sshd to exist; with `UsePAM no` an account whose password
field is `!` (locked) is refused, `*` is not; StrictModes wants the home and ~/.ssh owned by the user
and not writable by others; the user must be able to read the Python that runs the app.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD = "/usr/sbin/sshd"


def available() -> str | None:
    """None when a server can be started here, else the reason it cannot."""
    if not Path(SSHD).exists():
        return "openssh-server is not installed (scripts/system-deps.sh test installs it as root)"
    if os.geteuid() != 0:
        return "starting sshd and creating its throwaway user need root"
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        return "the OpenSSH client is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SshServer:
    """sshd on a loopback port; `user` logs in with `client_key` and lands in `force_command`."""

    def __init__(self, workdir: Path, *, user: str, force_command: str, environment: dict[str, str] | None = None):
        """`workdir` and its parents must be traversable by `user` (0755, not under /root or pytest's
        0700 tmp dirs): sshd's StrictModes and the user's own session both walk them."""
        self.dir = workdir
        self.user = user
        self.force_command = force_command
        self.environment = environment or {}
        self.port = _free_port()
        self.client_key = workdir / "client_key"
        self.process: subprocess.Popen | None = None
        self.home = workdir / "home"
        self.made_user = False

    # --- setup ------------------------------------------------------------------------------

    def _make_user(self) -> None:
        try:
            pwd.getpwnam(self.user)
        except KeyError:
            subprocess.run(["useradd", "--home-dir", str(self.home), "--no-create-home", "--shell", "/bin/sh",
                            self.user], check=True)
            self.made_user = True
        # `*`: no password login possible, but not "locked" (`!`), which sshd refuses without PAM.
        subprocess.run(["usermod", "--password", "*", "--home", str(self.home), self.user], check=True)
        entry = pwd.getpwnam(self.user)
        ssh_dir = self.home / ".ssh"
        ssh_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.client_key)], check=True)
        (ssh_dir / "authorized_keys").write_text(self.client_key.with_suffix(".pub").read_text())
        for path, mode in ((self.home, 0o755), (ssh_dir, 0o700), (ssh_dir / "authorized_keys", 0o600)):
            os.chown(path, entry.pw_uid, entry.pw_gid)
            os.chmod(path, mode)

    def _config(self) -> Path:
        host_key = self.dir / "host_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
        env = " ".join(f"{k}={v}" for k, v in self.environment.items())
        config = self.dir / "sshd_config"
        config.write_text(f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {self.dir / "sshd.pid"}
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
AllowUsers {self.user}
LogLevel VERBOSE
{f"SetEnv {env}" if env else ""}

# What the README gives an owner: straight into the review, nothing else.
Match User {self.user}
    ForceCommand {self.force_command}
    AllowTcpForwarding no
    AllowStreamLocalForwarding no
    AllowAgentForwarding no
    X11Forwarding no
    PermitTunnel no
    PermitTTY yes
""")
        os.chmod(config, 0o600)
        return config

    def start(self) -> SshServer:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self._make_user()
        config = self._config()
        test = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
        if test.returncode:
            raise RuntimeError(f"sshd refused its config: {test.stderr.strip()}")
        self.log = self.dir / "sshd.log"
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=self.log.open("w"))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"sshd exited: {self.log.read_text()[-500:]}") from None
                time.sleep(0.1)
        raise RuntimeError("sshd did not start listening within 15 s")

    def client_command(self, *extra: str, tty: bool = True) -> list[str]:
        """The OpenSSH client command line that logs in as the review user (`tty`: with a terminal)."""
        return ["ssh", "-tt" if tty else "-T", "-i", str(self.client_key), "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes", f"{self.user}@127.0.0.1", *extra]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.made_user:
            subprocess.run(["userdel", self.user], check=False, capture_output=True)

    def __enter__(self) -> SshServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
