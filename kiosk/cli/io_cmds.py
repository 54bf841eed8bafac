"""`kiosk import …` and `kiosk export …` (CSV in, CSV and ledger journal out)."""


def register(commands) -> None:
    pass
