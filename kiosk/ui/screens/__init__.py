"""The till's screens, one per module. A mode's screen lives in <mode>.py (sale.py: SaleScreen, …);
see kiosk/ui/__init__.py for how to add one."""
