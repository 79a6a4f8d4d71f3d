"""How long the orchestration has lately taken to record a decision, so a front end waiting for
the outcome reads the instance about when it will be there instead of every few milliseconds.

Each read is an HTTP call to the durable backend. Under a burst of clicks the orchestration
takes hundreds of milliseconds to record a decision, and a front end reading on a fixed quick
schedule makes ten reads per click, which is most of the work a click costs and slows the very
recording it waits for. Learning the recent pace keeps a quiet click quick (the first read comes
after a few milliseconds) and a click in a burst to two or three reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# The first read never comes sooner, nor (however slow recording has been) later, than these.
QUICKEST_FIRST_READ = 0.003
LATEST_FIRST_READ = 0.4
# Between later reads: from a fraction of the pace, doubling, up to the longest pause.
LONGEST_PAUSE = 0.1
# How much one observation moves the pace (the rest is the pace so far).
WEIGHT_OF_NEWEST = 0.25
# The first read comes at this share of the pace: a little early rather than late, so that a
# pace that has grown in a burst comes down again once recording is quick.
FIRST_READ_SHARE = 0.6


@dataclass
class RecordingPace:
    """The smoothed time from raising a decision to reading it recorded, in seconds."""

    seconds: float = QUICKEST_FIRST_READ

    def pauses(self) -> Iterator[float]:
        """The pauses before each read of the instance: the first near the pace, then short
        ones growing to LONGEST_PAUSE."""
        first = min(max(self.seconds * FIRST_READ_SHARE, QUICKEST_FIRST_READ), LATEST_FIRST_READ)
        yield first
        pause = max(min(first / 4, LONGEST_PAUSE), QUICKEST_FIRST_READ)
        while True:
            yield pause
            pause = min(pause * 2, LONGEST_PAUSE)

    def observe(self, seconds: float) -> None:
        """A decision was read recorded ``seconds`` after it was raised."""
        self.seconds += WEIGHT_OF_NEWEST * (max(seconds, 0.0) - self.seconds)
