"""Starting a request reads its requester's month to date once, through the real durable client
over loopback HTTP, and carries it in the input; when the read fails the request still starts,
without the figure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import azure.durable_functions as df
import pytest
from aiohttp import web
from azure.durable_functions.models.utils import http_utils

from bot.approvals import ApprovalRequest
from bot.people import Person
from bot.workflow.client import WorkflowClient
from devhost.urls import DurableUrls


class DurableBackend:
    """Just enough of the extension's HTTP API: the entity read answers what a test sets, a start
    is recorded and answered 202."""

    def __init__(self) -> None:
        self.entity_answer: tuple[int, object] = (404, None)
        self.entity_reads: list[str] = []
        self.started: list[dict] = []

    async def handle(self, request: web.Request) -> web.Response:
        if request.method == "GET" and "/entities/" in request.path:
            self.entity_reads.append(request.path.split("/entities/", 1)[1])
            status, body = self.entity_answer
            return web.json_response(body, status=status) if body is not None else web.Response(status=status)
        if request.method == "POST" and "/orchestrators/" in request.path:
            self.started.append(await request.json())
            return web.json_response({"id": "0123456789abcdef0123456789abcdef"}, status=202)
        return web.Response(status=404)


@pytest.fixture
async def backend() -> AsyncIterator[tuple[DurableBackend, WorkflowClient]]:
    fake = DurableBackend()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = df.DurableOrchestrationClient(DurableUrls(f"http://127.0.0.1:{port}", "TestHubName").client_binding_json())
    try:
        yield fake, WorkflowClient(client)
    finally:
        await http_utils._close_session()
        await runner.cleanup()


def started_input(fake: DurableBackend) -> dict:
    [given] = fake.started
    return json.loads(given) if isinstance(given, str) else given


REQUEST = ApprovalRequest(amount=75, requester="Alice", requester_account=Person.slack("U0ALICE"))


async def test_the_start_carries_the_month_read_once(backend):
    fake, client = backend
    fake.entity_answer = (200, {"total": 320.5, "approvals": {"approval-a": 300, "approval-b": 20.5}})
    await client.start(REQUEST)
    month = datetime.now(UTC).strftime("%Y-%m")
    assert fake.entity_reads == [f"monthly_spend/slack:U0ALICE:{month}"]
    assert started_input(fake)["monthToDate"] == 320.5


async def test_a_requester_with_nothing_approved_this_month_starts_at_zero(backend):
    fake, client = backend
    await client.start(REQUEST)
    assert started_input(fake)["monthToDate"] == 0


async def test_a_failed_read_starts_the_request_without_the_figure(backend):
    fake, client = backend
    fake.entity_answer = (500, {"error": "storage unavailable"})
    started = await client.start(REQUEST)
    assert started.instance_id == "0123456789abcdef0123456789abcdef"
    assert "monthToDate" not in started_input(fake)
