"""Launch to the login screen, next to a bare Textual app painting one word: prints, never asserts.

Each round starts a fresh interpreter and runs the app headless; the app prints the wall clock when
Textual says the first frame is on screen (the Ready event) and exits. The figure is that time minus
the moment just before the process was started: interpreter start, imports, compose, first paint; and
the CPU time the process had used by then, which a busy machine disturbs less. The two kinds alternate
so a busy machine slows both alike. The goal (issue 5): Kiosk <= 1.15x the bare app.

    .venv/bin/python bench/startup.py            # 10 rounds of each
    .venv/bin/python bench/startup.py --rounds 20
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Kiosk")

    def on_ready(self):
        print(repr(time.time()), repr(time.process_time()), flush=True)
        self.exit()

Bare().run(headless=True, size=(80, 24))
"""

KIOSK = """
import sys, time
from kiosk.ui.app import KioskApp

class Probe(KioskApp):
    def on_ready(self):  # instead of the warm-up, which starts at this moment
        print(repr(time.time()), repr(time.process_time()), flush=True)
        self.exit()

Probe(sys.argv[1], demo=True).run(headless=True, size=(80, 24))
"""


def one(code: str, *args: str) -> tuple[float, float]:
    """(wall clock from just before the process starts to the first frame, CPU time the process used)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"startup bench: a run failed:\n{out.stderr}")
    painted, cpu = map(float, out.stdout.strip().splitlines()[-1].split())
    return painted - start, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "shop.db")  # not opened before the first paint
        one(BARE)
        one(KIOSK, url)  # warm the OS file cache and the bytecode for both
        bare, kiosk = [], []
        for _ in range(args.rounds):
            bare.append(one(BARE))
            kiosk.append(one(KIOSK, url))
    print(f"startup to first paint, {args.rounds} rounds each, alternating "
          f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f})")
    for what, index in (("wall clock", 0), ("CPU time", 1)):
        print(f"  {what}:")
        for name, runs in (("bare Textual app, one word", bare), ("Kiosk, login screen", kiosk)):
            times = [run[index] * 1000 for run in runs]
            print(f"    {name:<28} median {statistics.median(times):6.0f} ms   min {min(times):6.0f} ms   "
                  f"max {max(times):6.0f} ms")
        ratio = statistics.median(r[index] for r in kiosk) / statistics.median(r[index] for r in bare)
        low = min(r[index] for r in kiosk) / min(r[index] for r in bare)
        print(f"    ratio {ratio:.2f}x of the medians, {low:.2f}x of the minimums (goal <= 1.15x)")
    print("  (the wall clock is the goal's measure; CPU time is steadier on a busy machine)")

if __name__ == "__main__":
    main()
