"""A till in its own OS process, for tests/services/test_sales_concurrency.py.

The test starts a pool of spawned processes with `init` as the initializer, so every process shares one
`multiprocessing.Barrier`, and hands each one a `run` task: a database URL, a till name and rounds of
sales. Each process opens its own shop (its own connection, as a real till would) before the first
round; before each round every till waits at the barrier, so the sales of a round really race.

A process never lets an exception out: every sale's outcome comes back as a plain dict (`booked` with
the receipt, `refused` with the KioskError's type and message, or `error` for anything else, such as a
database error), so one misbehaving till cannot hang the others at the next barrier.
"""

from __future__ import annotations

import threading
from typing import Any

# Imported up front so the first sale after the barrier does not pay for imports (sell() imports the
# loyalty and settings services, and products, lazily).
from kiosk.domain.errors import KioskError
from kiosk.domain.tenders import Method, TenderRequest
from kiosk.services import loyalty, products, sales, settings  # noqa: F401
from kiosk.services.context import open_shop
from kiosk.services.sales import ItemRequest

BARRIER_TIMEOUT = 60  # seconds: generous for a loaded 2-core machine; a broken barrier fails the test fast

_barrier: threading.Barrier | None = None


def init(barrier) -> None:
    """Pool initializer: keep the barrier every till waits at before each round."""
    global _barrier
    _barrier = barrier


def sell_spec(sale_id: str, items: list[tuple[str, str]], tenders: list[tuple[str, int | None]],
              customer_id: int | None = None, redeem: int = 0) -> dict[str, Any]:
    """A sale as plain data (picklable): items as (code, quantity), tenders as (method, amount or None)."""
    return {"sale_id": sale_id, "items": items, "tenders": tenders, "customer_id": customer_id, "redeem": redeem}


def _sell(ctx, spec: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = {"sale_id": spec["sale_id"], "till": ctx.till}
    try:
        receipt = sales.sell(
            ctx,
            sale_id=spec["sale_id"],
            items=[ItemRequest(code, qty) for code, qty in spec["items"]],
            tenders=[TenderRequest(Method(m), amount) for m, amount in spec["tenders"]],
            customer_id=spec["customer_id"],
            redeem=spec["redeem"],
        )
    except KioskError as exc:
        outcome.update(status="refused", error=type(exc).__name__, message=str(exc))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any "error"
        outcome.update(status="error", error=f"{type(exc).__module__}.{type(exc).__name__}", message=str(exc))
    else:
        outcome.update(status="booked", receipt=receipt)
    return outcome


def run(task: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """task = {"url", "till", "rounds": [[sale spec, ...], ...]} -> outcomes, round by round.

    Every till of a run must have the same number of rounds (they meet at the barrier before each)."""
    assert _barrier is not None, "run() needs the pool initializer init(barrier)"
    try:
        ctx = open_shop(task["url"])
    except BaseException:
        _barrier.abort()  # the other tills fail at the barrier now instead of after its timeout
        raise
    ctx.till = task["till"]
    results: list[list[dict[str, Any]]] = []
    try:
        for specs in task["rounds"]:
            _barrier.wait(BARRIER_TIMEOUT)
            results.append([_sell(ctx, spec) for spec in specs])
    except BaseException:
        _barrier.abort()
        raise
    finally:
        ctx.close()
    return results
