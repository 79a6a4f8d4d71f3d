"""Slack's Web API rate limits: per-method tiers, and chat.postMessage's one message a second per
channel. Over the limit a call is answered HTTP 429 with Retry-After (seconds), as Slack does.

Each limit is a token bucket: it holds a minute's worth of calls for a tier (Slack allows short
bursts) or a few messages for a channel, and refills steadily. Time comes from the sandbox's
clock, so tests can move it. Off unless asked for: load tests measure the app, not Slack's limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .clock import Clock

# Slack's tiers, in calls per minute ("Tier 1: 1+ per minute" ... "Tier 4: 100+ per minute").
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

METHOD_TIERS = {
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.history": 3,
    "users.info": 4,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
}

POST_PER_SECOND = 1.0  # chat.postMessage: about one message a second in each channel...
POST_BURST = 5  # ...with short bursts allowed


@dataclass
class Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """0 if a call may go now (and counts it), else the seconds until one may."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class RateLimits:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.buckets: dict[tuple[str, str], Bucket] = {}

    def retry_after(self, method: str, channel_id: str | None = None) -> int | None:
        """None if the call may go now, else Retry-After in whole seconds (at least 1)."""
        if method == "chat.postMessage" and channel_id:
            key, capacity, per_second = (method, channel_id), POST_BURST, POST_PER_SECOND
        elif method in METHOD_TIERS:
            per_minute = TIER_PER_MINUTE[METHOD_TIERS[method]]
            key, capacity, per_second = (method, ""), per_minute, per_minute / 60
        else:
            return None
        now = self.clock.now()
        bucket = self.buckets.setdefault(key, Bucket(capacity, per_second, capacity, now))
        wait = bucket.take(now)
        return max(1, math.ceil(wait)) if wait > 0 else None
