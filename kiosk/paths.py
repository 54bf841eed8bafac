"""Where Kiosk keeps its files (XDG via platformdirs). Nothing is created at import time."""

from __future__ import annotations

import os
from pathlib import Path

APP = "kiosk"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP, appauthor=False)


def default_database() -> Path:
    return data_dir() / "kiosk.db"


def demo_database() -> Path:
    return data_dir() / "demo.db"


def database_url(cli_value: str | None) -> str:
    """`--db`, else `KIOSK_DB`, else the SQLite file in the user data directory."""
    return cli_value or os.environ.get("KIOSK_DB") or str(default_database())


def till_name() -> str:
    """This machine's till name for the books: `KIOSK_TILL`, else the host name."""
    import socket

    return os.environ.get("KIOSK_TILL") or socket.gethostname()


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    return repo_root() / "migrations"
