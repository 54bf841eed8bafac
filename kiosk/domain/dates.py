"""Dates as shops write them: ISO ``2026-03-31`` or day-first ``31/03/2026``."""

from __future__ import annotations

import datetime as dt
import re

from kiosk.domain.errors import ValidationError

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)


def parse_date(text: str, *, field: str = "date") -> dt.date:
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(field, "is empty")
    try:
        if _ISO.match(raw):
            return dt.date.fromisoformat(raw)
        match = _DAY_FIRST.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(field, f"{raw!r} is not a real date ({exc})") from None
    raise ValidationError(field, f"{raw!r} is not a date like 2026-03-31 or 31/03/2026")
