"""`kiosk seed`: a deterministic synthetic shop of any size."""


def register(commands) -> None:
    pass
