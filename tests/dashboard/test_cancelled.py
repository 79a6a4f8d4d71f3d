"""A request its requester cancelled, as the dashboard shows it: the cancellation on the timeline,
the deadline timer cancelled, the notifying activity, and `Cancelled` in the output."""
from __future__ import annotations

from .conftest import API, REQUEST, get_json, start_approval


async def test_a_cancelled_instance_shows_the_cancellation_and_its_outcome(host, http):
    instance_id = await start_approval(host, http)
    async with http.post(f"{host.base_url}/api/cancel/{instance_id}",
                         json={"requester": REQUEST["requester"], "reason": "No longer needed"}) as r:
        assert r.status == 202
    await host.wait_for_status(instance_id, "Completed")
    _, body = await get_json(http, f"{host.base_url}{API}/instances/{instance_id}")
    assert body["output"]["status"] == "Cancelled"
    assert body["output"]["cancellation"]["reason"] == "No longer needed"
    assert body["customStatus"]["stage"] == "done"
    assert body["waiting"] == {"events": [], "eventsKnown": True, "timers": [], "activities": []}
    items = {(i["kind"], i["label"]): i for i in body["timeline"]["items"]}
    assert items[("timer", "Durable timer")]["state"] == "cancelled"
    assert '"cancel": true' in items[("event", "approval_response")]["detail"]
    assert items[("activity", "cancel_approval")]["state"] == "completed"
    assert not any(kind == "activity" and label in ("process_approval", "escalate_approval")
                   for kind, label in items)
