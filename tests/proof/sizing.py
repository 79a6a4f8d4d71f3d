"""How big the proof runs are: CI defaults, multiplied by PROOF_SCALE for bigger local runs.

    PROOF_SCALE=5 PROOF_SEED=1234 .venv/bin/python -m pytest tests/proof -q -s
"""

from __future__ import annotations

import os
import random


def scale() -> float:
    return max(0.05, float(os.environ.get("PROOF_SCALE", "1")))


def scaled(count: int, *, minimum: int = 1) -> int:
    """``count`` at scale 1, proportionally more (or fewer) at other scales."""
    return max(minimum, round(count * scale()))


def seeded_random(name: str) -> random.Random:
    """A random source per test; PROOF_SEED makes a failing run repeatable (printed by each test)."""
    seed = int(os.environ.get("PROOF_SEED", str(random.SystemRandom().randrange(1, 10**9))))
    print(f"[{name}] PROOF_SEED={seed} PROOF_SCALE={scale()}")
    return random.Random(seed)
