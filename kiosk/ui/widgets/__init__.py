"""Widgets shared by the till's screens; each keeps its own DEFAULT_CSS (only widgets do).

`from kiosk.ui.widgets import SessionBar, TillFooter, PinField` works; each module is imported only
when its name is first asked for, so the login screen does not pay for the Footer."""

from __future__ import annotations

import importlib

_WHERE = {"PinField": "pin_field", "SessionBar": "session_bar", "TillFooter": "footer"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
