import aiohttp
from datetime import timedelta

from devhost.testing import run_devhost


async def test_approval_with_event(basic_app):
    async with run_devhost(basic_app, virtual_clock=True) as host:
        iid = await host.client.start_new("approval", None, {"name": "Ann"})
        await host.wait_for_custom_status(iid, lambda c: c == {"stage": "waiting"})
        await host.client.raise_event(iid, "decision", {"ok": True})
        status = await host.wait_for_status(iid, "Completed")
        assert status["output"]["decision"] == '{"ok": true}'
        assert status["output"]["outcome"] == "Async hello decided!"
