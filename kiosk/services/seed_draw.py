"""Drawing from one `random.Random` for the seed: picks, weighted choices and idempotency keys.

Everything the seed makes comes through these and the generator it is handed, never the clock or
`uuid4`, so the same seed gives the same shop.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence


def pick(rng: random.Random, items: Sequence):
    """One of `items`, each as likely (one draw: `rng.choice` may take several)."""
    return items[int(rng.random() * len(items))]


def cumulative(weights) -> list:
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


def choose(rng: random.Random, cum: list) -> int:
    """An index drawn by the weights whose running sums are `cum`."""
    return bisect.bisect_right(cum, rng.random() * cum[-1], 0, len(cum) - 1)


_V4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_V4_SET = (0x8000 << 48) | (4 << 76)


def key(rng: random.Random) -> str:
    """An id like the ones the tills make when a basket or refund opens (`uuid4().hex`): 128 random
    bits with the version and variant set, as `uuid.UUID(int=..., version=4)` sets them."""
    return f"{rng.getrandbits(128) & _V4_CLEAR | _V4_SET:032x}"
