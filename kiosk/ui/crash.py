"""The log file an unexpected error leaves behind, for whoever fixes the till (never shown to the cashier)."""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path


def logs_dir() -> Path:
    from kiosk.paths import data_dir

    return data_dir() / "logs"


def write_crash_log(exc: BaseException | None, about: dict[str, object] | None = None, *, text: str | None = None) -> Path:
    """Write `exc`'s traceback (or `text`, already formatted) with a few facts (`about`: user, mode, till)
    to a new file under logs_dir(); returns its path. No locals are written: they may hold PINs."""
    from kiosk import __version__

    now = dt.datetime.now()
    folder = logs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    n = 1
    while path.exists():  # two crashes in one second: both kept
        n += 1
        path = folder / f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}-{n}.log"
    lines = [f"kiosk {__version__} crashed at {now.isoformat(timespec='seconds')}"]
    lines += [f"{key}: {value}" for key, value in (about or {}).items()]
    lines.append("")
    lines.append(text if text is not None else "".join(traceback.format_exception(exc)) if exc else "")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
