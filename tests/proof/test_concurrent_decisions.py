"""Two approvers decide the same request at the same instant, many times over.

Each round starts a request from Slack, then fires two decisions at once: Approve by one approver
and a Deny-with-reason by the other (or Approve by both). Afterwards exactly one decision is
recorded, and what each clicker was told (the buttons replaced for them, the ack of their form,
the message everyone sees) matches the orchestration's outcome.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from testkit.slack_harness import APPROVER, OTHER_APPROVER, SlackHarness, Started, slack_devhost
from testkit.slack_requests import text_value
from tests.proof.hub import outcome_actions
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import APPROVED, DENIED, outcome_of_text, told, visible_messages

ROUNDS = scaled(40, minimum=4)
BATCH = 8  # rounds raced side by side


@dataclass
class Round:
    started: Started
    first_hook: str
    second_is_denial: bool
    first_told: str = ""   # what the approving clicker was shown
    second_told: str = ""  # what the second clicker was shown


async def _race(slack: SlackHarness, started: Started, deny: bool, hooks: dict[str, tuple[str, str]]) -> Round:
    target = (started.message.channel, started.message.ts)
    first_hook = slack.new_response_url()
    hooks[first_hook.removeprefix(slack.fake.base_url)] = target
    second_hook = slack.new_response_url()
    hooks[second_hook.removeprefix(slack.fake.base_url)] = target
    metadata = json.dumps({"approvalId": started.approval_id, "channel": target[0], "ts": target[1]})
    approve = slack.click("approve_request", started.approval_id, user_id=APPROVER,
                          message=started.message, response_url=first_hook)
    if deny:
        second = slack.submit("deny_reason", {"reason": text_value("Over budget")}, user_id=OTHER_APPROVER,
                              private_metadata=metadata)
    else:
        second = slack.click("approve_request", started.approval_id, user_id=OTHER_APPROVER,
                             message=started.message, response_url=second_hook)
    first_answer, second_answer = await asyncio.gather(approve, second)
    assert first_answer.status == 200 and second_answer.status == 200, (first_answer, second_answer)
    round_ = Round(started, first_hook, deny)
    round_.first_told = _told_by_hook(slack, first_hook)
    if deny:
        round_.second_told = DENIED if second_answer.text == "" else _notice(second_answer.text)
    else:
        round_.second_told = _told_by_hook(slack, second_hook)
    return round_


def _told_by_hook(slack: SlackHarness, hook: str) -> str:
    replies = told(slack.fake, hook.removeprefix(slack.fake.base_url))
    assert len(replies) >= 1, f"clicker on {hook} was told nothing"
    last = replies[-1]
    if last.get("replace_original") is True:
        return outcome_of_text(str(last.get("text", "")))
    return "refused: " + str(last.get("text", ""))


def _notice(ack_text: str) -> str:
    ack = json.loads(ack_text)
    return "refused: " + json.dumps(ack.get("view", ack))


def _claims(told_text: str, outcome: str, winner_is_me: bool, winner: str) -> bool:
    """Is what a clicker was told true, given the recorded outcome and who recorded it?"""
    if told_text in (APPROVED, DENIED):
        return told_text == outcome and winner_is_me
    # A refusal that names a decision ("already *Approved* by <@U..>") must name the real one;
    # one that names none ("your approval was sent ...") claims nothing.
    for named in (APPROVED, DENIED):
        if f"*{named}* by" in told_text:
            return named == outcome and f"<@{winner}>" in told_text
    return True


async def test_simultaneous_approve_and_deny_record_one_decision_and_tell_everyone_the_truth() -> None:
    rng = seeded_random("concurrent decisions")
    lies: list[str] = []
    double_decisions: list[str] = []
    wrong_messages: list[str] = []
    async with slack_devhost() as slack:
        hooks: dict[str, tuple[str, str]] = {}
        rounds: list[Round] = []
        for first in range(0, ROUNDS, BATCH):
            size = min(BATCH, ROUNDS - first)
            starts = await asyncio.gather(*(slack.start_by_text(f"{100 + first + i} Race {first + i}")
                                            for i in range(size)))
            rounds += await asyncio.gather(*(_race(slack, started, rng.random() < 0.5, hooks) for started in starts))
        await slack.host.settle()
        visible = visible_messages(slack.fake, hooks)
        for round_ in rounds:
            iid = round_.started.instance_id
            status = await slack.host.wait_for_status(iid, "Completed")
            output = status["output"]
            acted_on = outcome_actions(slack.host.db_path).get(iid, [])
            if len(acted_on) != 1:
                double_decisions.append(f"{iid}: outcome activities scheduled {acted_on}")
            winner = output["approval"]["slackUserId"]
            outcome = output["status"]
            if not _claims(round_.first_told, outcome, winner == APPROVER, winner):
                lies.append(f"{iid}: {APPROVER} told {round_.first_told!r}, outcome {outcome} by {winner}")
            if not _claims(round_.second_told, outcome, winner == OTHER_APPROVER, winner):
                lies.append(f"{iid}: {OTHER_APPROVER} told {round_.second_told!r}, outcome {outcome} by {winner}")
            shown = visible[(round_.started.message.channel, round_.started.message.ts)]
            if shown.outcome != outcome or shown.has_buttons:
                wrong_messages.append(f"{iid}: message shows {shown.outcome}, outcome {outcome}; sequence "
                                      + _sequence(slack, hooks, (round_.started.message.channel, round_.started.message.ts)))
    print(f"rounds {len(rounds)}: double decisions {len(double_decisions)}, clickers told a lie {len(lies)}, "
          f"messages showing the wrong outcome {len(wrong_messages)}")
    assert not double_decisions, double_decisions[:5]
    assert not wrong_messages, wrong_messages[:5]
    assert not lies, lies[:5]


def _sequence(slack: SlackHarness, hooks: dict[str, tuple[str, str]], key: tuple[str, str]) -> str:
    """The writes to one message in arrival order (for the failure report)."""
    steps = []
    for call in slack.fake.calls:
        if call.method == "chat.update" and (call.args.get("channel"), call.args.get("ts")) == key:
            steps.append(f"chat.update[{outcome_of_text(str(call.args.get('text', '')))}]")
        elif call.method == "response_url" and hooks.get(call.path) == key and call.args.get("replace_original") is True:
            steps.append(f"response_url[{outcome_of_text(str(call.args.get('text', '')))}]")
    return " -> ".join(steps)
