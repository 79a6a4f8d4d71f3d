"""A page from another origin cannot act through the sandbox from a visitor's chromium."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from playwright.async_api import async_playwright

from testkit.chromium import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.asyncio]

ATTACK = """<!doctype html><title>elsewhere</title><script>
async function attack(target) {
  const message = JSON.stringify({user: "U0ALICE", channel: "C0APPROVALS", text: "forged"});
  const outcomes = [];
  for (const body of [message, new URLSearchParams({user: "U0ALICE", channel: "C0APPROVALS", text: "forged"})]) {
    try { await fetch(target + "/ui/message", {method: "POST", mode: "no-cors", body}); outcomes.push("sent"); }
    catch (e) { outcomes.push("failed"); }
  }
  const socket = await new Promise((resolve) => {
    const ws = new WebSocket(target.replace("http", "ws") + "/ui/live?user=U0BOB");
    ws.onopen = () => resolve("open");
    ws.onerror = () => resolve("refused");
  });
  outcomes.push(socket);
  return outcomes;
}
</script>"""


@pytest.fixture
async def elsewhere():
    """A page on another origin: the same host, another port."""
    async def page(_: web.Request) -> web.Response:
        return web.Response(text=ATTACK, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_a_page_on_another_port_can_neither_post_nor_listen(browser, lone_slack, elsewhere):
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(elsewhere)
    outcomes = await page.evaluate("(target) => attack(target)", lone_slack.base_url)
    await context.close()
    assert outcomes[-1] == "refused"
    assert [m.text for m in lone_slack.messages("C0APPROVALS")] == []


async def test_a_hostile_name_resolving_to_loopback_gets_no_page(lone_slack):
    port = lone_slack.base_url.rsplit(":", 1)[1]
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.test 127.0.0.1"])
        page = await chromium.new_page()
        response = await page.goto(f"http://rebound.test:{port}/")
        assert response.status == 403 and json.loads(await response.text())["error"] == "unknown_host"
        own = await page.goto(f"{lone_slack.base_url}/")
        assert own.status == 200
        await chromium.close()
