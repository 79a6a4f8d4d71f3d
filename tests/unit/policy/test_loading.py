"""A policy file is read once, and a bad one is refused with the file, the line or key, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy.loading import PolicyError, load_policy
from bot.policy.model import Route

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
name: test
tiers:
  - name: team
    stages:
      - name: manager
        approvers: {slack: [U0BOB]}
        deadline: 30m
  - name: finance
    over: 1000
    stages:
      - name: manager
        approvers: {slack: [U0BOB]}
      - name: finance
        approvers: {slack: [U0CAROL, S0FIN], teams: ["29:carol"]}
        deadline: 2h
    reminders: [50%, 0.9]
    senior: {approvers: {slack: [U0DANA]}, deadline: 1d, on_timeout: deny}
"""


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_checked_in_example_is_valid():
    policy = load_policy(ROOT / "policy.example.yaml")
    assert [tier.name for tier in policy.tiers] == ["team", "finance"]


def test_amounts_pick_the_highest_tier_they_are_over(tmp_path):
    policy = load_policy(write(tmp_path, GOOD))
    assert policy.tier_for(1000).name == "team"
    assert policy.tier_for(1000.01).name == "finance"
    assert policy.tier_for(None).name == "team"
    route = policy.route_for(5000, default_deadline=600)
    assert route.reason == "over $1,000: finance"
    assert [(s.name, s.deadline_seconds) for s in route.stages] == [("manager", 600), ("finance", 7200)]
    assert route.reminders == (0.5, 0.9)
    assert route.senior is not None and route.senior.on_timeout == "deny"
    assert policy.route_for(10, 600).reason == "up to $1,000: team"


def test_a_route_survives_the_orchestration_input(tmp_path):
    route = load_policy(write(tmp_path, GOOD)).route_for(5000, 600)
    assert Route.from_json(route.to_json()) == route


@pytest.mark.parametrize(("text", "where", "problem"), [
    (GOOD.replace("deadline: 2h", "deadline: soon"), "line 15, tiers[1].stages[1].deadline", "duration"),
    (GOOD.replace("deadline: 2h", "deadline: 7d"), "tiers[1].stages[1].deadline", "6 days"),
    (GOOD.replace("U0CAROL", "carol"), "line 14, tiers[1].stages[1].approvers.slack[0]", "'carol' is not"),
    (GOOD.replace("on_timeout: deny", "on_timeout: ignore"), "tiers[1].senior.on_timeout", "escalate, deny"),
    (GOOD.replace("[50%, 0.9]", "[90%, 50%]"), "tiers[1].reminders[1]", "increasing"),
    (GOOD.replace("over: 1000", "over: 0"), "tiers[1].over", "already the threshold"),
    (GOOD.replace("    stages:\n      - name: manager\n        approvers: {slack: [U0BOB]}\n        deadline: 30m\n",
                  "    stages: []\n"), "tiers[0].stages", "1 to 10 stages"),
    (GOOD.replace("  - name: team\n", "  - name: team\n    colour: red\n"), "line 4, tiers[0].colour", "not a known key"),
    (GOOD.replace("slack: [U0DANA]", "skype: [U0DANA]"), "tiers[1].senior.approvers.skype", "not a front end"),
    ("tiers: [\n", "line 2", "not valid YAML"),
])
def test_a_bad_policy_names_file_place_and_problem(tmp_path, text, where, problem):
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: ")
    assert where in message
    assert problem in message


def test_every_amount_needs_a_tier(tmp_path):
    with pytest.raises(PolicyError, match="over: 0"):
        load_policy(write(tmp_path, GOOD.replace("  - name: team\n", "  - name: team\n    over: 10\n")))


def test_json_policies_are_read_too(tmp_path):
    text = '{"tiers": [{"name": "all", "stages": [{"name": "boss", "approvers": {"teams": ["29:x"]}}]}]}'
    assert load_policy(write(tmp_path, text, "policy.json")).tiers[0].stages[0].approvers.on("teams") == ("29:x",)
    with pytest.raises(PolicyError, match=r"policy\.json: line 1: is not valid JSON"):
        load_policy(write(tmp_path, "{", "policy.json"))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PolicyError, match="missing.yaml: can't be read"):
        load_policy(tmp_path / "missing.yaml")
