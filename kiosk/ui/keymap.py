"""A till's own keys: binding ids remapped from a TOML file, as posting does with App.set_keymap.

The file is $KIOSK_KEYMAP, else keymap.toml in Kiosk's config directory (~/.config/kiosk/ on Linux):

    [keymap]
    "kiosk.help" = "f1,question_mark"    # one key or several, comma-separated, Textual key names
    "kiosk.lock" = "ctrl+k"
    "sale.pay" = "f12,ctrl+enter"

Every binding's id is shown on the Help screen (F1). The file is per machine, like the keyboard it
describes. A missing file is no keymap; a broken one is reported and ignored, never fatal.
"""

from __future__ import annotations

import os
from pathlib import Path

KEYMAP_ENV = "KIOSK_KEYMAP"


def keymap_path() -> Path:
    if value := os.environ.get(KEYMAP_ENV):
        return Path(value)
    from platformdirs import user_config_path

    return user_config_path("kiosk", appauthor=False) / "keymap.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(keymap, problems): binding id -> keys, and one line per thing that was ignored."""
    import tomllib

    path = path or keymap_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"keymap: {path} was ignored: {exc}"]
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        return {}, [f"keymap: {path}: [keymap] must be a table of binding id = \"key\""]
    keymap, problems = {}, []
    for binding_id, keys in table.items():
        if isinstance(keys, str) and keys.strip():
            keymap[binding_id] = keys.replace(" ", "")
        else:
            problems.append(f"keymap: {path}: {binding_id!r} must be a key like \"f2\" or \"ctrl+k\"; ignored")
    return keymap, problems
