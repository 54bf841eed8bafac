"""The one error a person can act on.

Every layer raises `KioskError` (or a subclass) with a single line that names the field, the file line
or the missing piece; the command line and the till print that line and change nothing.
"""


class KioskError(Exception):
    """A problem the user can fix; its message is one line, shown as is."""


class ValidationError(KioskError):
    """A field's value is refused. `field` names it so imports can say `line N: field: reason`."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(KioskError):
    """The record asked for does not exist."""


class CreditLimitExceeded(KioskError):
    """A debit would take a customer past the credit limit."""
