"""The instance listing behind My approvals and the audit export, against the real app on devhost."""

from __future__ import annotations

import pytest

from bot.workflow.listing import BadContinuation, InstanceFilter, Listing
from bot.workflow.state import Stage
from tests.e2e.test_http_api import start, waiting


async def test_every_follows_the_pages_and_reads_each_instance_once(app_host, http):
    started = [await start(app_host, http, {"amount": n + 1, "description": f"item {n}"}) for n in range(5)]
    for payload in started:
        await waiting(app_host, payload["id"])
    listing = Listing(app_host.client)

    first = await listing.page(InstanceFilter(), size=2)
    assert len(first.states) == 2 and first.continuation is not None
    states = [state async for state in listing.every(InstanceFilter(), size=2)]
    assert sorted(s.instance_id for s in states) == sorted(p["id"] for p in started)
    assert all(s.stage is Stage.OPEN and s.request is not None for s in states)
    assert sorted(s.request.amount for s in states if s.request) == [1, 2, 3, 4, 5]
    assert [s async for s in listing.every(InstanceFilter(runtime_statuses=("Completed",)))] == []


async def test_a_token_the_backend_never_issued_is_the_callers_mistake(app_host, http):
    await start(app_host, http, {"amount": 1})
    with pytest.raises(BadContinuation):
        await Listing(app_host.client).page(InstanceFilter(), size=1, continuation="made-up")
