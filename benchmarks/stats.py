"""The one percentile every benchmark reports, so their p50/p99 figures mean the same thing."""

from __future__ import annotations


def percentile(samples: list[float], q: float) -> float:
    """The nearest-rank q-th percentile (q in 0..100) of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]
