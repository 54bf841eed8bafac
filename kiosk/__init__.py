"""Kiosk: a keyboard-only till with a khata (credit ledger) and loyalty for small shops."""

__version__ = "0.1.0"
