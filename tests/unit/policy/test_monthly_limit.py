"""A tier's monthly limit: a request that takes its requester's Approved spend this month over
it goes to the next tier up, and says why; a limit that can't work is refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy.loading import PolicyError, load_policy

ROOT = Path(__file__).resolve().parents[3]

LIMITED = """\
name: test
tiers:
  - name: team
    monthly_limit: 5000
    stages:
      - {name: manager, approvers: {slack: [U0BOB]}}
  - name: finance
    over: 1000
    monthly_limit: 20000
    label: "over $1,000: finance"
    stages:
      - {name: finance, approvers: {slack: [U0CAROL]}}
  - name: board
    over: 10000
    stages:
      - {name: board, approvers: {slack: [U0DANA]}}
"""


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(LIMITED)
    return load_policy(path)


def test_under_the_limit_the_amount_alone_decides(policy):
    route = policy.route_for(200, 600, month_to_date=4800)
    assert (route.tier, route.reason) == ("team", "up to $1,000: team")


def test_over_the_limit_goes_to_the_next_tier_up_and_says_why(policy):
    route = policy.route_for(200.01, 600, month_to_date=4800)
    assert route.tier == "finance"
    assert route.reason == "over the $5,000 monthly limit: over $1,000: finance"
    assert [step.name for step in route.stages] == ["finance"]


def test_it_moves_up_as_far_as_the_limits_say(policy):
    route = policy.route_for(900, 600, month_to_date=19500)
    assert route.tier == "board"
    assert route.reason == "over the $20,000 monthly limit: over $10,000: board"


def test_without_a_figure_or_an_amount_limits_do_not_apply(policy):
    assert policy.route_for(900, 600).tier == "team"
    assert policy.route_for(None, 600, month_to_date=99999).tier == "team"


def test_the_checked_in_example_routes_by_its_monthly_limit():
    example = load_policy(ROOT / "policy.example.yaml")
    assert example.route_for(300, 600, month_to_date=0).tier == "team"
    assert example.route_for(300, 600, month_to_date=4900).tier == "finance"


@pytest.mark.parametrize(("old", "new", "where", "problem"), [
    ("monthly_limit: 5000", "monthly_limit: lots", "line 4, tiers[0].monthly_limit", "must be an amount above 0"),
    ("monthly_limit: 5000", "monthly_limit: 0", "tiers[0].monthly_limit", "must be an amount above 0"),
    ("monthly_limit: 5000", "monthly_limit: true", "tiers[0].monthly_limit", "must be an amount above 0"),
    ("    over: 10000\n", "    over: 10000\n    monthly_limit: 50000\n", "tiers[2].monthly_limit",
     "the highest tier has no tier above it"),
])
def test_a_bad_monthly_limit_is_refused_with_where_and_why(tmp_path, old, new, where, problem):
    path = tmp_path / "policy.yaml"
    path.write_text(LIMITED.replace(old, new))
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert where in str(refused.value) and problem in str(refused.value)
