"""The verdict on a set of approvals run in-process: each one ended, once, as expected, and its
Slack message says so."""

from __future__ import annotations

from dataclasses import dataclass, field

from testkit.slack_harness import SlackHarness
from tests.proof.hub import outcome_actions, statuses
from tests.proof.slack_view import visible_messages


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"lost {len(self.lost)}, stuck {len(self.stuck)}, wrong {len(self.wrong)}"

    def assert_clean(self) -> None:
        assert not self.lost, self.lost[:5]
        assert not self.stuck, self.stuck[:5]
        assert not self.wrong, self.wrong[:5]


def judge(slack: SlackHarness, expected: dict[str, str], hooks: dict[str, tuple[str, str]] | None = None) -> Verdict:
    """``expected``: instance id -> Approved | Denied | Escalated."""
    verdict = Verdict()
    rows = statuses(slack.host.db_path)
    acted = outcome_actions(slack.host.db_path)
    visible = visible_messages(slack.fake, hooks)
    for iid, outcome in expected.items():
        if iid not in rows:
            verdict.lost.append(iid)
            continue
        runtime, output, custom = rows[iid]
        if runtime != "Completed":
            verdict.stuck.append(f"{iid}: {runtime} {custom}")
            continue
        problems = []
        if (output or {}).get("status") != outcome:
            problems.append(f"output {(output or {}).get('status')}")
        if len(acted.get(iid, ())) != 1:
            problems.append(f"acted on {len(acted.get(iid, ()))} outcomes")
        message = (custom or {}).get("message") or {}
        shown = visible.get((message.get("channel"), message.get("ts")))
        if shown is None or shown.outcome != outcome or shown.has_buttons:
            problems.append(f"message shows {shown.outcome if shown else 'nothing'}")
        if problems:
            verdict.wrong.append(f"{iid}: expected {outcome}; {', '.join(problems)}; output {output}")
    return verdict
