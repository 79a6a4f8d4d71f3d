"""Whether the store takes writes right now, and how long failed work waits before its retry.

A storage failure (another process holding the write lock past the wait, a full disk) must not
end the episode or timer loop: the work stays where it is, the loop waits and tries again, and
devhost resumes by itself once a write succeeds. While writes fail they wait only briefly for a
lock, so the event loop stays free and the HTTP API keeps answering (503) instead of stalling.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from .store import LOCK_WAIT_SECONDS, StorageError, TaskHubStore

log = logging.getLogger("devhost")

FIRST_RETRY_SECONDS = 0.05
LONGEST_RETRY_SECONDS = 2.0
FAILING_LOCK_WAIT_SECONDS = 0.1   # while failing: fail fast, answer 503, retry later


class StorageHealth:
    def __init__(self, store: TaskHubStore) -> None:
        self._store = store
        self.failure: StorageError | None = None
        self._delay = FIRST_RETRY_SECONDS
        self._recovered = asyncio.Event()

    @property
    def failing(self) -> bool:
        return self.failure is not None

    def failed(self, exc: StorageError) -> None:
        if self.failure is None:
            log.error("devhost cannot write its state: %s. Requests that change state answer "
                      "503 and pending work is retried until the store takes writes again.", exc)
            self._store.set_lock_wait(FAILING_LOCK_WAIT_SECONDS)
        else:
            log.debug("devhost storage still failing: %s", exc)
        self.failure = exc

    def succeeded(self) -> None:
        if self.failure is None:
            return
        log.warning("devhost storage takes writes again; resuming pending work")
        self.failure = None
        self._delay = FIRST_RETRY_SECONDS
        self._store.set_lock_wait(LOCK_WAIT_SECONDS)
        recovered, self._recovered = self._recovered, asyncio.Event()
        recovered.set()

    async def backoff(self) -> None:
        """Wait before retrying failed work: doubling up to LONGEST_RETRY_SECONDS, and cut
        short as soon as any other write succeeds."""
        delay = self._delay
        self._delay = min(delay * 2, LONGEST_RETRY_SECONDS)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._recovered.wait(), delay)
