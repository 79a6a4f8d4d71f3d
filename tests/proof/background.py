"""The Slack-configured function app on devhost, run on its own event loop in a thread, so plain
synchronous tests (hypothesis's @given) can send it requests and read its state."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from testkit.slack_harness import SlackHarness, slack_devhost

T = TypeVar("T")


class BackgroundHost:
    def __init__(self, loop: asyncio.AbstractEventLoop, slack: SlackHarness) -> None:
        self.loop = loop
        self.slack = slack

    def run(self, work: Callable[[SlackHarness], Awaitable[T]], timeout: float = 60) -> T:
        """Run ``work(harness)`` on the host's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work(self.slack), self.loop).result(timeout)


@contextmanager
def background_slack_host(**options: Any) -> Iterator[BackgroundHost]:

    started = threading.Event()
    failure: list[BaseException] = []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    handle: list[BackgroundHost] = []

    async def main() -> None:
        try:
            async with slack_devhost(**options) as slack:
                handle.append(BackgroundHost(loop, slack))
                started.set()
                await stop.wait()
        except BaseException as error:  # surfaced to the test thread below
            failure.append(error)
            started.set()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), name="proof-host", daemon=True)
    thread.start()
    started.wait(60)
    if failure or not handle:
        raise RuntimeError("the background host did not start") from (failure[0] if failure else None)
    try:
        yield handle[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        loop.close()
        if failure:
            raise failure[0]
