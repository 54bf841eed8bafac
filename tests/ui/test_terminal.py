"""The till in a real terminal: `kiosk demo` inside tmux, driven key by key the way a cashier types.

The cashier (3333) sells SKU 1001 on khata to Ahmed Khan (0300 1234567) and sees his new balance, then
tries F5 and is refused; the manager (2222) opens the credit report. Skipped only without tmux.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """One tmux session of 80x24 running a command."""

    def __init__(self, command: str, env: dict[str, str]):
        self.name = f"kiosk-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
                        f"env {exports} {command}; sleep 30"], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True,
                              text=True).stdout

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def type(self, *keys: str) -> None:
        """Each key on its own, as a person types (a burst in one send-keys can arrive out of order)."""
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.name, *([key] if len(key) > 1 else ["-l", key])],
                           check=True)
            time.sleep(0.08)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def demo_terminal(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "KIOSK_TILL": "counter-1", "TERM": "xterm-256color", "PYTHONPATH": str(Path.cwd())}
    kiosk = Path(sys.executable).with_name("kiosk")
    command = str(kiosk) if kiosk.exists() else f"{sys.executable} -m kiosk"
    terminal = Terminal(f"{command} demo", env)
    yield terminal
    terminal.close()


def test_a_cashier_sells_on_khata_and_a_manager_reads_the_credit_report(demo_terminal):
    t = demo_terminal
    t.wait_for("Type your PIN", timeout=120)  # the first run builds the demo shop
    assert "3333" in t.screen()  # the demo's PINs are on the login screen
    t.type(*"3333", "Enter")
    t.wait_for("Sale")
    t.type(*"1001", "Enter")
    t.wait_for("Atta 10kg")
    t.type("F7")
    time.sleep(0.5)  # the attach box opens
    t.type(*"0300 1234567")
    t.wait_for("Ahmed Khan")
    t.type("Enter")
    t.type("F12")
    time.sleep(0.5)
    t.type("4", "Enter")
    screen = t.wait_for("New balance")
    owes = re.search(r"New balance: owes Rs([\d,]+\.\d\d)", screen)
    assert owes and int(owes[1].replace(",", "").replace(".", "")) >= 1_450_00, screen  # the atta, at least
    t.type("Enter")
    t.wait_for("Walk-in")  # back to an empty sale
    t.type("F5")
    t.wait_for("can read reports")  # the refusal, in a toast (it may wrap: only its last words are sure)
    t.type("C-l")
    t.wait_for("Type your PIN")
    t.type(*"2222", "Enter")
    time.sleep(0.5)
    t.type("F5")
    t.wait_for("Owed to the shop")
    t.type("2")
    screen = t.wait_for("owed by")  # the credit report: the total, the ageing bars, the biggest debtors
    assert all(bucket in screen for bucket in ("0-30", "31-60", "61-90", "90+")) and "Balance" in screen
