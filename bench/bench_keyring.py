"""The bench's shops keep their PIN pepper in a plain file in bench/out/, never in the machine's keyring
(a headless machine has none, and `kiosk init` would ask for a password)."""

from __future__ import annotations

import os
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def use_bench_keyring() -> None:
    config = Path(os.environ.setdefault("KIOSK_KEYRING_CONFIG", str(OUT / "keyring.cfg")))
    if not config.exists():
        from kiosk.devices import secrets

        OUT.mkdir(parents=True, exist_ok=True)
        secrets.configure_file_backend(OUT / "secrets.cfg", kind="plaintext")
