"""My approvals in Slack: the App Home tab and `/expense list`, over the real app on devhost."""

import json
from datetime import timedelta

from slack_sdk.models.views import View

from testkit import slack_requests
from testkit.blockkit import all_text, assert_valid_blocks, buttons
from testkit.slack_harness import APPROVER, OTHER_APPROVER, OUTSIDER, REQUESTER, SECRET, SlackHarness, slack_devhost
from testkit.slack_requests import text_value


def home_buttons(slack: SlackHarness, user_id: str) -> list[tuple[str, str]]:
    return [(b["action_id"], b["value"]) for b in buttons(slack.home_of(user_id).get("blocks", []))]


async def test_opening_the_home_tab_shows_what_waits_for_me_and_my_own_requests() -> None:
    async with slack_devhost() as slack:
        first = await slack.start_by_text("120 Team lunch")
        await slack.host.advance(timedelta(seconds=30))
        second = await slack.start_by_text("75.50 Taxi to the airport")
        mine = await slack.start_by_text("900 New monitor", user_id=APPROVER)

        answer = await slack.open_home(APPROVER)
        assert answer.status == 200, answer.text
        view = slack.home_of(APPROVER)
        assert view["type"] == "home" and View(**view).to_dict() == view
        assert home_buttons(slack, APPROVER) == [  # oldest deadline first; not their own request
            ("approve_request", first.approval_id), ("deny_request", first.approval_id),
            ("approve_request", second.approval_id), ("deny_request", second.approval_id)]
        text = all_text(view["blocks"])
        assert "Waiting for you (2)" in text and "Team lunch" in text and f"<@{REQUESTER}>" in text
        assert "New monitor" in text and "Waiting for a decision" in text  # their own, under "Your recent requests"

        await slack.open_home(REQUESTER)
        requester_view = slack.home_of(REQUESTER)
        assert buttons(requester_view["blocks"]) == []  # not an approver: nothing to decide
        assert "Team lunch" in all_text(requester_view["blocks"]) and "Waiting for you" not in all_text(requester_view["blocks"])
        await slack.open_home(OUTSIDER, tab="messages")
        assert slack.home_of(OUTSIDER) == {}
        assert mine.approval_id not in [value for _, value in home_buttons(slack, APPROVER)]


async def test_approving_from_the_home_tab_decides_and_refreshes_both_tabs() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("120 Team lunch")
        await slack.open_home(APPROVER)
        answer = await slack.click_home("approve_request", started.approval_id, user_id=APPROVER)
        assert answer.status == 200, answer.text

        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Approved" and status["output"]["approval"]["slackUserId"] == APPROVER
        approver_view = slack.home_of(APPROVER)
        assert home_buttons(slack, APPROVER) == []
        assert "Approved" in all_text(approver_view["blocks"][:1])  # the answer on top of the tab
        assert "Nothing is waiting for your decision." in all_text(approver_view["blocks"])
        requester_text = all_text(slack.home_of(REQUESTER)["blocks"])  # republished without opening it
        assert f"*Approved* by <@{APPROVER}>" in requester_text


async def test_a_refused_click_on_the_home_tab_changes_nothing_and_says_why() -> None:
    async with slack_devhost(approvers=APPROVER) as slack:
        started = await slack.start_by_text("120 Team lunch")
        await slack.click_home("approve_request", started.approval_id, user_id=OTHER_APPROVER)
        assert "Only the designated approvers" in all_text(slack.home_of(OTHER_APPROVER)["blocks"][:1])
        await slack.click_home("approve_request", started.approval_id, user_id=REQUESTER)
        assert "can't decide your own request" in all_text(slack.home_of(REQUESTER)["blocks"][:1])
        await slack.host.settle()
        status = await slack.host.get_status(started.instance_id)
        assert status["runtimeStatus"] == "Running"
        assert slack.fake.calls_to("response_url") == []  # a tab click has no response_url to answer


async def test_denying_from_the_home_tab_asks_for_a_reason_then_refreshes_the_tab() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("120 Team lunch")
        await slack.click_home("deny_request", started.approval_id, user_id=APPROVER)
        (opened,) = slack.fake.calls_to("views.open")
        view = json.loads(opened.args["view"]) if isinstance(opened.args["view"], str) else opened.args["view"]
        answer = await slack.submit(view["callback_id"], {"reason": text_value("Not in budget")}, user_id=APPROVER,
                                    private_metadata=view["private_metadata"])
        assert answer.status == 200, answer.text
        status = await slack.host.wait_for_status(started.instance_id, "Completed")
        assert status["output"]["status"] == "Denied"
        assert home_buttons(slack, APPROVER) == []
        assert "*Denied*" in all_text(slack.home_of(REQUESTER)["blocks"])


async def test_expense_list_answers_privately_with_the_same_list() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("120 Team lunch")
        hook = slack.new_response_url()
        answer = await slack.command("list", user_id=APPROVER, response_url=hook)
        assert answer.status == 200
        body = answer.json()
        assert body["response_type"] == "ephemeral"
        assert_valid_blocks(body["blocks"])
        assert [(b["action_id"], b["value"]) for b in buttons(body["blocks"])] == [
            ("approve_request", started.approval_id), ("deny_request", started.approval_id)]

        clicked = await slack.click("approve_request", started.approval_id, user_id=APPROVER, response_url=hook)
        assert clicked.status == 200
        (replaced,) = slack.responses_to(hook)
        assert replaced["replace_original"] is True and f"*Approved* by <@{APPROVER}>" in all_text(replaced["blocks"])

        mine = (await slack.command("LIST ", user_id=REQUESTER)).json()
        assert buttons(mine["blocks"]) == [] and f"*Approved* by <@{APPROVER}>" in all_text(mine["blocks"])
        assert len(await slack.host.client.get_status_all()) == 1  # listing started nothing


async def test_the_events_endpoint_checks_slacks_signature_and_answers_url_verification() -> None:
    async with slack_devhost() as slack:
        body = slack_requests.app_home_opened(APPROVER)
        unsigned = await slack.post("/api/slack/events", body, {"content-type": "application/json"})
        assert unsigned.status == 401 and slack.home_of(APPROVER) == {}
        challenge = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
        answer = await slack.post("/api/slack/events", challenge,
                                  slack_requests.signed_headers(SECRET, challenge, content_type="application/json"))
        assert answer.status == 200 and "c-123" in answer.text
        broken = json.dumps({"type": "event_callback", "event": "app_home_opened"})
        answer = await slack.post("/api/slack/events", broken,
                                  slack_requests.signed_headers(SECRET, broken, content_type="application/json"))
        assert answer.status == 400 and "event.type" in answer.text


async def test_cancelling_republishes_the_requesters_home_tab() -> None:
    async with slack_devhost() as slack:
        started = await slack.start_by_text("120 Team lunch")
        await slack.open_home(REQUESTER)
        assert "Waiting for a decision" in all_text(slack.home_of(REQUESTER)["blocks"])
        answer = await slack.click("cancel_request", started.approval_id, user_id=REQUESTER)
        assert answer.status == 200
        await slack.host.wait_for_status(started.instance_id, "Completed")
        assert "*Cancelled* by you" in all_text(slack.home_of(REQUESTER)["blocks"])
        await slack.open_home(APPROVER)
        assert home_buttons(slack, APPROVER) == []


async def test_a_request_made_over_http_in_my_email_is_among_my_own_and_nobody_elses() -> None:
    async with slack_devhost(users_by_email={"Alice@Example.com": REQUESTER}) as slack:
        async with slack.session.post(f"{slack.host.base_url}/api/human_interaction", json={
                "amount": 50, "timeout_minutes": 30, "requester": " Alice@Example.com ",
                "description": "Printer toner"}) as response:
            assert response.status == 202, await response.text()
            instance_id = (await response.json())["id"]
        await slack.wait_until_waiting(instance_id)
        someone_elses = await slack.start_by_text("75 Taxi", user_id=OUTSIDER)

        await slack.open_home(REQUESTER)
        text = all_text(slack.home_of(REQUESTER)["blocks"])
        assert "Printer toner" in text and "Taxi" not in text
        await slack.open_home(OUTSIDER)
        outsider_text = all_text(slack.home_of(OUTSIDER)["blocks"])
        assert "Taxi" in outsider_text and "Printer toner" not in outsider_text
        assert someone_elses.instance_id[:12] != instance_id[:12]
