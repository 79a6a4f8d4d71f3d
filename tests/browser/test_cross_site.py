"""Pages on other sites, opened in the developer's Chromium, try to drive the devhost running the
real app: start, approve, raise, suspend and terminate. They use only requests a browser sends
without asking devhost first (no-cors fetch with text/plain or form bodies, form submits), and the
browser is told to skip its private-network checks, so devhost's own checks are all that stand in
the way. Nothing may change."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, Response, async_playwright

from bot.approvals import approval_id_for
from bot.workflow.names import DECISION_EVENT, ORCHESTRATOR
from testkit.chromium import CHROMIUM, CHROMIUM_ARGS
from testkit.loopback import serve

pytestmark = pytest.mark.browser

REBINDING_NAME = "rebound.example"
# Chromium's private/local network protections, off: a browser that has them off (or an older
# one) must not be the only thing keeping a page from approving expenses.
NO_NETWORK_CHECKS = ("--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,"
                     "PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests")

ATTACK = """<!doctype html><title>prizes</title>
<iframe name="sink-0"></iframe><iframe name="sink-1"></iframe>
<script>
const ORIGINS = __ORIGINS__, ID = __ID__, APPROVAL = __APPROVAL__, EVENT = __EVENT__,
      ORCH = __ORCH__;
const decision = JSON.stringify({approved: true, approver: "mallory@evil.example"});
const start = JSON.stringify({amount: 999, requester: "mallory@evil.example", description: "csrf"});

function submit(url, enctype, fields, sink) {
  return new Promise(resolve => {
    const frame = document.querySelector(`iframe[name=${sink}]`);
    frame.onload = resolve;
    const form = document.createElement("form");
    Object.assign(form, {method: "POST", action: url, enctype, target: sink});
    for (const [name, value] of fields) {
      const input = Object.assign(document.createElement("input"), {type: "hidden", name, value});
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  });
}

async function attack(origin) {
  const instance = `${origin}/runtime/webhooks/durabletask/instances/${ID}`;
  const posts = [
    [`${origin}/api/human_interaction`, "text/plain", start],
    [`${origin}/api/approve/${APPROVAL}`, "text/plain", decision],
    [`${instance}/raiseEvent/${EVENT}`, "text/plain", decision],
    [`${origin}/durabletask/orchestrators/${ORCH}`, "text/plain", start],
    [`${origin}/runtime/webhooks/durabletask/orchestrators/${ORCH}`,
     "application/x-www-form-urlencoded", "a=1"],
    [`${instance}/suspend?reason=csrf`, "application/x-www-form-urlencoded", "reason=csrf"],
  ];
  for (const [url, type, body] of posts) {
    await fetch(url, {method: "POST", mode: "no-cors", headers: {"Content-Type": type}, body});
  }
  // text/plain form: the body comes out as {"approved": true, ..., "x": "="}, valid JSON.
  await submit(`${instance}/raiseEvent/${EVENT}`, "text/plain",
               [[decision.slice(0, -1) + ', "x": "', '"}']], "sink-0");
  await submit(`${instance}/terminate?reason=csrf`, "application/x-www-form-urlencoded",
               [["reason", "csrf"]], "sink-1");
}

(async () => {
  for (const origin of ORIGINS) await attack(origin);
  document.body.dataset.done = "yes";
})();
</script>"""

REBINDING = """<!doctype html><title>rebound</title><script>
(async () => {
  const base = "/runtime/webhooks/durabletask/instances";
  const listing = await fetch(base);  // same origin: the page could read the answer
  const terminate = await fetch(`${base}/__ID__/terminate?reason=rebound`, {method: "POST"});
  const start = await fetch("/api/human_interaction", {method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({amount: 5, requester: "mallory@evil.example"})});
  document.body.dataset.seen = JSON.stringify({listing: [listing.status, await listing.text()],
                                               terminate: terminate.status, start: start.status});
})();
</script>"""


@pytest.fixture
async def risky_browser() -> AsyncIterator[Browser]:
    """Chromium without its network-access checks, with a name that resolves to loopback."""
    args = [*CHROMIUM_ARGS, NO_NETWORK_CHECKS, f"--host-resolver-rules=MAP {REBINDING_NAME} 127.0.0.1"]
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        await launched.close()


@pytest.fixture
async def page(risky_browser: Browser) -> AsyncIterator[Page]:
    context = await risky_browser.new_context()
    yield await context.new_page()
    await context.close()


async def serve_page(html: str) -> tuple[web.AppRunner, str]:
    """The other site: its own server on its own port."""
    async def index(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")
    app = web.Application()
    app.router.add_get("/", index)
    runner, base_url = await serve(app)
    return runner, f"{base_url}/"


async def waiting_request(stack) -> str:
    async with aiohttp.ClientSession() as http, http.post(f"{stack.host.base_url}/api/human_interaction",
                         json={"amount": 120, "requester": "alice@company.com",
                               "description": "Team lunch"}) as resp:
        assert resp.status == 202
        instance_id = (await resp.json())["id"]
    await stack.host.wait_for_custom_status(instance_id, lambda s: bool(s))
    await stack.host.settle()
    return instance_id


async def instance_ids(stack) -> list[str]:
    async with aiohttp.ClientSession() as http, http.get(f"{stack.host.management_url}/instances") as resp:
        return sorted(i["instanceId"] for i in await resp.json())


async def test_a_page_on_another_site_changes_nothing(page: Page, stack):
    instance_id = await waiting_request(stack)
    before = await stack.host.get_status(instance_id)
    port = urlsplit(stack.host.base_url).port
    origins = [stack.host.base_url, f"http://localhost:{port}"]  # same site, and another site
    html = ATTACK
    for name, value in (("ORIGINS", origins), ("ID", instance_id), ("EVENT", DECISION_EVENT),
                        ("APPROVAL", approval_id_for(instance_id)), ("ORCH", ORCHESTRATOR)):
        html = html.replace(f"__{name}__", json.dumps(value))
    answers: list[Response] = []
    page.on("response", lambda r: answers.append(r) if f":{port}/" in r.url else None)
    runner, url = await serve_page(html)
    try:
        await page.goto(url)
        await page.wait_for_selector("body[data-done=yes]", state="attached")
    finally:
        await runner.cleanup()

    assert len(answers) == 2 * 8  # every attempt reached devhost, and devhost refused it
    assert {r.status for r in answers} == {403}, [(r.url, r.status) for r in answers]
    for sink in ("sink-0", "sink-1"):
        assert "cross-site request refused" in await page.frame(name=sink).content()
    await stack.host.settle()
    assert await instance_ids(stack) == [instance_id]
    after = await stack.host.get_status(instance_id)
    assert after["runtimeStatus"] == "Running"
    assert (after["customStatus"], after["lastUpdatedTime"]) == \
        (before["customStatus"], before["lastUpdatedTime"])


async def test_a_rebinding_page_is_a_remote_caller_without_the_key(page: Page, stack):
    instance_id = await waiting_request(stack)
    port = urlsplit(stack.host.base_url).port
    origin = f"http://{REBINDING_NAME}:{port}"
    # The page comes from the attacker's server; then the name points at 127.0.0.1 (devhost).
    await page.route(f"{origin}/", lambda route: route.fulfill(
        body=REBINDING.replace("__ID__", instance_id), content_type="text/html"))
    await page.goto(f"{origin}/")
    await page.wait_for_selector("body[data-seen]", state="attached")
    seen = json.loads(await page.locator("body").get_attribute("data-seen"))

    assert seen["listing"][0] == 401 and instance_id not in seen["listing"][1]
    assert "host key" in json.loads(seen["listing"][1])["error"]
    assert (seen["terminate"], seen["start"]) == (401, 401)
    await stack.host.settle()
    assert await instance_ids(stack) == [instance_id]
    assert (await stack.host.get_status(instance_id))["runtimeStatus"] == "Running"
