"""The requester cancels while an approver approves, at the same instant, many times over.

Each round starts a request from Slack, then fires Cancel request (the requester, on their
confirmation) and Approve (an approver, on the request) at once. Afterwards exactly one outcome
is recorded, the request message everyone sees shows it without buttons, and what each clicker
was told matches the orchestration's outcome.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from testkit.slack_harness import APPROVER, REQUESTER, SlackHarness, Started, slack_devhost
from tests.proof.hub import outcome_actions
from tests.proof.sizing import scaled, seeded_random
from tests.proof.slack_view import APPROVED, CANCELLED, outcome_of_text, told, visible_messages

ROUNDS = scaled(40, minimum=4)
BATCH = 8  # rounds raced side by side


@dataclass
class Round:
    started: Started
    requester_told: str
    approver_told: str


def _told(slack: SlackHarness, hook: str) -> str:
    replies = told(slack.fake, hook.removeprefix(slack.fake.base_url))
    assert replies, f"the clicker on {hook} was told nothing"
    return " | ".join(str(reply.get("text", "")) for reply in replies)


async def _race(slack: SlackHarness, started: Started, hooks: dict[str, tuple[str, str]],
                approve_first: bool) -> Round:
    cancel_hook, approve_hook = slack.new_response_url(), slack.new_response_url()
    hooks[approve_hook.removeprefix(slack.fake.base_url)] = (started.message.channel, started.message.ts)
    clicks = [
        slack.click("cancel_request", started.approval_id, user_id=REQUESTER, response_url=cancel_hook),
        slack.click("approve_request", started.approval_id, user_id=APPROVER, message=started.message,
                    response_url=approve_hook),
    ]
    answers = await asyncio.gather(*(reversed(clicks) if approve_first else clicks))
    assert all(answer.status == 200 for answer in answers), answers
    return Round(started, _told(slack, cancel_hook), _told(slack, approve_hook))


def _lies(round_: Round, outcome: str) -> list[str]:
    """What each clicker was told that the recorded outcome contradicts."""
    lies = []
    said_cancelled = f"cancelled by <@{REQUESTER}>" in round_.requester_told
    said_approved_to_requester = f"*Approved* by <@{APPROVER}>" in round_.requester_told
    if (said_cancelled and outcome != CANCELLED) or (said_approved_to_requester and outcome != APPROVED):
        lies.append(f"requester told {round_.requester_told!r}, outcome {outcome}")
    approver_approved = outcome_of_text(round_.approver_told) == APPROVED
    approver_refused = "cancelled by its requester" in round_.approver_told
    if (approver_approved and outcome != APPROVED) or (approver_refused and outcome != CANCELLED):
        lies.append(f"approver told {round_.approver_told!r}, outcome {outcome}")
    return lies


async def test_simultaneous_cancel_and_approve_record_one_outcome_and_tell_both_the_truth() -> None:
    rng = seeded_random("concurrent cancel")
    lies: list[str] = []
    double_outcomes: list[str] = []
    wrong_messages: list[str] = []
    outcomes: dict[str, int] = {}
    async with slack_devhost() as slack:
        hooks: dict[str, tuple[str, str]] = {}
        rounds: list[Round] = []
        for first in range(0, ROUNDS, BATCH):
            size = min(BATCH, ROUNDS - first)
            starts = await asyncio.gather(*(slack.start_by_text(f"{100 + first + i} Race {first + i}")
                                            for i in range(size)))
            rounds += await asyncio.gather(*(_race(slack, started, hooks, rng.random() < 0.5) for started in starts))
        await slack.host.settle()
        visible = visible_messages(slack.fake, hooks)
        for round_ in rounds:
            iid = round_.started.instance_id
            status = await slack.host.wait_for_status(iid, "Completed")
            outcome = status["output"]["status"]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            acted_on = outcome_actions(slack.host.db_path).get(iid, [])
            if len(acted_on) != 1:
                double_outcomes.append(f"{iid}: outcome activities scheduled {acted_on}")
            lies += [f"{iid}: {lie}" for lie in _lies(round_, outcome)]
            shown = visible[(round_.started.message.channel, round_.started.message.ts)]
            if shown.outcome != outcome or shown.has_buttons:
                wrong_messages.append(f"{iid}: message shows {shown.outcome}, outcome {outcome}")
    print(f"rounds {len(rounds)}: outcomes {outcomes}; double outcomes {len(double_outcomes)}, "
          f"clickers told a lie {len(lies)}, messages showing the wrong outcome {len(wrong_messages)}")
    assert set(outcomes) <= {APPROVED, CANCELLED}
    assert not double_outcomes, double_outcomes[:5]
    assert not wrong_messages, wrong_messages[:5]
    assert not lies, lies[:5]
