"""The one percentile every benchmark reports, so their p50/p99 figures mean the same thing."""

from __future__ import annotations


def percentile(samples: list[float], q: float) -> float:
    """The nearest-rank q-th percentile (q in 0..100) of the samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def spread(samples: list[float]) -> dict[str, float]:
    """Median and range of repeated rounds: one draw of a noisy figure says little on its own."""
    ordered = sorted(samples)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"rounds": len(ordered), "median": round(median, 1), "min": round(ordered[0], 1),
            "max": round(ordered[-1], 1)}
