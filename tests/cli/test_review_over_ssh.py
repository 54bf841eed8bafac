"""An owner reviews the shop from home: OpenSSH's client, in tmux, into Debian's sshd on a loopback port,
whose `Match User` block forces `kiosk review` (the README's setup). The till opens read-only; the test
logs in with a PIN, reads the credit report on screen, tries to sell and is refused, and cannot run
anything else.

Skipped only when sshd cannot run here (not root, or openssh-server missing: `available()` says).
"""

import os
import pwd
import shutil
import subprocess
import sqlite3
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import pytest

import kiosk
from tests.support import sshd

pytestmark = pytest.mark.skipif(sshd.available() is not None, reason=str(sshd.available()))

REVIEW_USER = "kioskreview"


def _others_can_read(path: Path) -> bool:
    """Whether an unprivileged account can reach `path`: every directory on the way enterable by others."""
    return all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents) if p.is_dir())


def _python_for(user_dir: Path) -> Path:
    """A Python the review user can run: ours may live under /root (pyenv). Debian's python3 in a venv
    that sees this checkout's packages through a .pth file; when the checkout or its packages sit where
    the review user cannot go (a clone under /root), copies of them in `user_dir`."""
    venv = user_dir / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    purelib = Path(sysconfig.get_paths()["purelib"])
    source = Path(kiosk.__file__).resolve().parent.parent
    lines = []
    if os.environ.get("KIOSK_TEST_COPY_APP") or not (_others_can_read(purelib) and _others_can_read(source)):
        shutil.copytree(purelib, user_dir / "packages", symlinks=True)
        shutil.copytree(source / "kiosk", user_dir / "app" / "kiosk")
        shutil.copytree(source / "migrations", user_dir / "app" / "migrations")
        shutil.copytree(source / "styles", user_dir / "app" / "styles")
        purelib, source = user_dir / "packages", user_dir / "app"
        for path in (user_dir / "packages", user_dir / "app"):
            subprocess.run(["chmod", "-R", "o+rX", str(path)], check=True)
        lines.append(f"import sys; sys.path.insert(0, {str(source)!r})")
    # An `import` line in a .pth runs: addsitedir also reads that directory's own .pth files (the
    # editable install of kiosk is one).
    lines.append(f"import site; site.addsitedir({str(purelib)!r})")
    (site / "kiosk-checkout.pth").write_text("\n".join(lines) + "\n")
    return venv / "bin" / "python"


def _keys(session: str, *keys: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)
    time.sleep(0.3)


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session, "-S", "-200"], capture_output=True,
                          text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen:\n{_screen(session)}")


@pytest.fixture
def shop_for_review(cli_shop, child_env):
    """The shop, a manager, and a copy of its secrets the review user can read."""
    for args in (("customer", "add", "--name", "Amina Bibi", "--phone", "0300 1234567"),
                 ("khata", "give", "1", "750"), ("user", "add", "Mona", "--role", "manager")):
        r = cli_shop(*args, stdin="2468\n2468\n")
        assert r.code == 0, r.err
    return cli_shop, child_env()


def test_an_owner_reviews_the_shop_over_ssh_and_cannot_change_it(shop_for_review, db_url):
    if not Path(db_url).exists():
        pytest.skip("the review over SSH is shown on the SQLite shop; PostgreSQL review is the same code")
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    cli, env = shop_for_review
    home = Path(tempfile.mkdtemp(prefix="kiosk-review-"))
    os.chmod(home, 0o755)
    session = f"review-{uuid.uuid4().hex[:8]}"
    try:
        shop_dir = home / "shop"
        shop_dir.mkdir()
        db = shop_dir / "kiosk.db"
        # A consistent copy of the shop (WAL included) where the review account can read it; SQLite's
        # WAL readers also need its directory.
        with sqlite3.connect(db_url) as source, sqlite3.connect(db) as copy:
            source.backup(copy)
        secrets_file, config = shop_dir / "secrets.cfg", shop_dir / "keyring.cfg"
        shutil.copy(Path(env["KIOSK_KEYRING_CONFIG"]).with_name("child-secrets.cfg"), secrets_file)
        config.write_text(f"[backend]\nkind = plaintext\nfile = {secrets_file}\n")
        python = _python_for(home)
        server = sshd.SshServer(home / "sshd", user=REVIEW_USER,
                                force_command=f"{python} -m kiosk --db {db} review",
                                environment={"KIOSK_KEYRING_CONFIG": str(config), "KIOSK_TILL": "home"})
        (home / "sshd").mkdir()
        with server:
            entry = pwd.getpwnam(REVIEW_USER)
            for path in (shop_dir, *shop_dir.iterdir()):
                os.chown(path, entry.pw_uid, entry.pw_gid)

            # Asking for another command still lands in the review, never in a shell.
            other = subprocess.run(server.client_command("cat /etc/passwd", tty=False), input="",
                                   capture_output=True, text=True, timeout=60)
            assert "root:x:0:0" not in other.stdout
            assert "kiosk: pin: set KIOSK_PIN or run the command on a terminal" in other.stderr

            # The till itself, read-only: the PIN screen, then Reports.
            subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                            " ".join(server.client_command())], check=True)
            _wait_for(session, "Type your PIN")
            _keys(session, "2468", "Enter")
            screen = _wait_for(session, "Owed to the shop")  # the dashboard
            assert "review: read-only" in screen and "f2 Sale" not in screen and "f9" not in screen  # no key to a change
            _keys(session, "2")  # the credit report tab
            screen = _wait_for(session, "Amina Bibi")
            assert "750.00" in screen and "Mona (manager)" in screen
            _keys(session, "F3")  # Customers, Amina highlighted; F4 her khata
            _wait_for(session, "Amina Bibi")
            _keys(session, "F4")
            _wait_for(session, "Payment")
            _keys(session, "p")  # record a payment: refused in one line
            _wait_for(session, "read-only review: nothing can be changed here")
            _keys(session, "C-q")  # quitting the till ends the SSH session: there is no shell behind it
            deadline = time.monotonic() + 30
            while subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0:
                assert time.monotonic() < deadline, _screen(session)
                time.sleep(0.2)
        # The books the review saw are as they were: the refused payment left no entry.
        with sqlite3.connect(db) as books:
            assert books.execute("SELECT balance FROM customer WHERE id = 1").fetchone() == (750_00,)
            assert books.execute("SELECT count(*) FROM khata_entry").fetchone() == (1,)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
