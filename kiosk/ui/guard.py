"""Errors at the till: a refusal is one line in a notification; a bug is an error screen, a log file and
nothing the cashier typed lost.

Wrap every handler and action that calls a service (or could fail) in `@guarded`:

    from kiosk.ui.guard import guarded

    class KhataScreen(Screen):
        @guarded
        def action_record_payment(self) -> None:
            khata.receive(self.app.session.ctx, ...)   # KioskError -> one-line notification

        @on(Input.Submitted, "#amount")                 # @on / @work outermost, @guarded next to def
        @guarded
        async def take_amount(self, event: Input.Submitted) -> None:
            ...

        @work(exclusive=True)
        @guarded
        async def approve(self) -> None:
            manager = await self.app.ask_manager("credit above the limit")

Or, around a few lines: `with guard(self): ...` (the handler goes on after the block, error or not:
return early if what follows needs the block to have worked).

What happens:
- `KioskError` (and its subclasses: ValidationError, NotFound, LoginRefused, …): `app.notify_error(exc)`,
  a one-line notification; the handler stops there and nothing else changes.
- Any other exception: `app.show_crash(exc)`. It writes the traceback to a log file under
  `kiosk.paths.data_dir()/logs/`, calls `rescue()` on every live screen that has one (a screen holding
  unsaved work implements `rescue(self) -> str | None`: the Sale screen parks its basket there and may
  return a one-line note such as "basket parked as 7f3a…"), then shows the ErrorScreen. The app keeps
  running; the cashier presses Enter and carries on, or Ctrl+L.
- `textual.actions.SkipAction` and cancellation pass through untouched.

A handler that is not guarded and raises ends the app the way Textual does; `kiosk till` then writes
the log, rescues the screens it saw and prints one line instead of a traceback (kiosk/cli/till_cmds.py).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from textual.actions import SkipAction

from kiosk.domain.errors import KioskError

F = TypeVar("F", bound=Callable[..., Any])


def _report(node: Any, exc: BaseException) -> None:
    app = node.app
    if isinstance(exc, KioskError):
        app.notify_error(exc)
    else:
        app.show_crash(exc)


def guarded(method: F) -> F:
    """Decorate a handler, action or worker method of a screen, widget or the app (see the module doc)."""
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def run_async(self, *args, **kwargs):
            try:
                return await method(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as exc:  # noqa: BLE001 - every error is shown or logged, never lost
                _report(self, exc)
            return None
        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except SkipAction:
            raise
        except Exception as exc:  # noqa: BLE001
            _report(self, exc)
        return None
    return run  # type: ignore[return-value]


@contextmanager
def guard(node: Any) -> Iterator[None]:
    """`with guard(self): ...` does what `@guarded` does for a block inside a longer handler."""
    try:
        yield
    except SkipAction:
        raise
    except Exception as exc:  # noqa: BLE001
        _report(node, exc)
