"""The till's memory as a cashier's machine sees it: a real `kiosk till` process in a real terminal (tmux,
80x24) on the 100k-customer shop, its resident set (VmRSS, from /proc) read at each step. Prints, never
asserts. Goal (issue 5): <= 60 MiB with the 100k-customer list open.

Steps: the login screen; logged in as the owner (the Sale screen); F3, the Customers list open; after
typing four searches a cashier would (each cleared with Esc); after 40 PgDn (pages read as the cursor
nears the end). Beside it, the floor: a bare Textual app (an Input, a DataTable and a Footer) in the same
terminal. Each is run `--rounds` times, alternating; the medians are printed.

    .venv/bin/python bench/ui_memory.py
    .venv/bin/python bench/ui_memory.py --rounds 1 --customers 10000 --entries 100000
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

GOAL_MIB = 60
SEARCHES = ("Muhammad Imran", "Wanjiru", "Siti", "03038381490")
STEPS = ("login screen", "logged in (Sale)", "Customers list open", "after 4 searches", "after 40 PgDn")

BARE = """
from textual.app import App
from textual.widgets import DataTable, Footer, Input

class Bare(App):
    def compose(self):
        yield Input()
        yield DataTable()
        yield Footer()

Bare().run()
"""


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit(f"memory bench: no VmRSS for {pid}")


class Terminal:
    """One tmux session at 80x24 running `command`; the process measured is the newest one whose command
    line holds `marker`."""

    def __init__(self, command: list[str], marker: str, env: dict[str, str]) -> None:
        self.name = f"kiosk-mem-{os.getpid()}"
        self.marker = marker
        shell = " ".join(_quote(a) for a in command)
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", shell], check=True, env=env)
        self.pid = self._wait_for_pid()

    def _wait_for_pid(self) -> int:
        deadline = time.time() + 30
        while time.time() < deadline:
            found = subprocess.run(["pgrep", "-n", "-f", self.marker], capture_output=True, text=True).stdout.split()
            if found:
                return int(found[0])
            time.sleep(0.1)
        raise SystemExit(f"memory bench: {self.marker!r} did not start")

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while text not in self.screen():
            if time.time() > deadline:
                raise SystemExit(f"memory bench: {text!r} never showed; the screen:\n{self.screen()}")
            time.sleep(0.1)

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True)

    def settle(self, seconds: float = 1.0) -> float:
        time.sleep(seconds)
        return rss_mib(self.pid)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def till_round(db: Path, pin: str, env: dict[str, str]) -> list[float]:
    marker = f"kiosk --db {db} till"
    term = Terminal([sys.executable, "-m", "kiosk", "--db", str(db), "till"], marker, env)
    try:
        term.wait_for("Type your PIN")
        time.sleep(2)  # the shop opens after the first paint (the warm-up)
        out = [term.settle()]
        term.keys(*pin, "Enter")
        term.wait_for("Sale ·")
        out.append(term.settle(2))
        term.keys("F3")
        term.wait_for("customers ·")
        out.append(term.settle(2))
        for text in SEARCHES:
            for ch in text:
                term.keys(ch, literal=True)
                time.sleep(0.05)
            time.sleep(0.3)
            term.keys("Escape")
            time.sleep(0.3)
        out.append(term.settle())
        for _ in range(40):
            term.keys("PageDown")
            time.sleep(0.05)
        out.append(term.settle())
        return out
    finally:
        term.close()


def bare_round(env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare_textual_app.py"
        script.write_text(BARE)
        term = Terminal([sys.executable, str(script)], str(script), env)
        try:
            term.wait_for("^p")  # the footer's command palette key: painted
            return term.settle(2)
        finally:
            term.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        raise SystemExit("memory bench: needs tmux (apt install tmux)")

    from bench_keyring import use_bench_keyring
    from run import PIN, build_or_reuse

    use_bench_keyring()
    path, _meta = build_or_reuse(args.customers, args.entries, rebuild=False)
    env = {**os.environ, "KIOSK_TILL": "bench", "TERM": "xterm-256color"}
    tills, bares = [], []
    for _ in range(args.rounds):
        bares.append(bare_round(env))
        tills.append(till_round(path, PIN, env))

    print(f"\nThe till's memory (VmRSS of a real `kiosk till` in tmux, 80x24), {args.customers:,} customers, "
          f"median of {args.rounds} rounds, load average {os.getloadavg()[0]:.1f}")
    print(f"  {'a bare Textual app (Input, DataTable, Footer)':<48} {statistics.median(bares):6.1f} MiB")
    for n, step in enumerate(STEPS):
        value = statistics.median(r[n] for r in tills)
        print(f"  {step:<48} {value:6.1f} MiB  ({value / statistics.median(bares):.2f}x the bare app)")
    opened = statistics.median(r[2] for r in tills)
    worst = statistics.median(max(r[2:]) for r in tills)
    print(f"  goal <= {GOAL_MIB} MiB with the list open: {opened:.1f} MiB on opening "
          f"({'met' if opened <= GOAL_MIB else 'NOT met'}), {worst:.1f} MiB at most while searching and paging "
          f"({'met' if worst <= GOAL_MIB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
