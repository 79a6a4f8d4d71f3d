"""Slack settings: not configured without a token; otherwise every setting checked by name."""

import pytest

from bot.config import ConfigError, slack_settings

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-123-abc",
    "SLACK_SIGNING_SECRET": "s3cret",
    "APPROVAL_CHANNEL": "C0APPROVE",
    "ESCALATION_CHANNEL": "C0ESCALATE",
}


def test_without_a_token_slack_is_not_configured() -> None:
    assert slack_settings({}) is None
    assert slack_settings({"SLACK_BOT_TOKEN": "  ", "APPROVAL_CHANNEL": "nonsense"}) is None


def test_a_complete_configuration_is_read() -> None:
    settings = slack_settings({**GOOD, "SLACK_API_URL": "http://127.0.0.1:5000/api/",
                               "APPROVER_USER_IDS": "U01, U02 ,,W03"})
    assert settings is not None
    assert settings.api_url == "http://127.0.0.1:5000/api/"
    assert settings.approver_user_ids == frozenset({"U01", "U02", "W03"})
    assert settings.may_approve("U01") and not settings.may_approve("U09")


def test_an_empty_approver_list_lets_anyone_approve() -> None:
    settings = slack_settings(GOOD)
    assert settings is not None and settings.api_url is None
    assert settings.may_approve("U_ANYONE")


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("SLACK_SIGNING_SECRET", None, "is required"),
        ("SLACK_SIGNING_SECRET", "two words", "spaces"),
        ("SLACK_BOT_TOKEN", "xoxb-1 2", "spaces"),
        ("APPROVAL_CHANNEL", None, "is required"),
        ("APPROVAL_CHANNEL", "#approvals", "channel ID"),
        ("ESCALATION_CHANNEL", "", "is required"),
        ("ESCALATION_CHANNEL", "c0lower", "channel ID"),
        ("SLACK_API_URL", "http://127.0.0.1:5000/api", "must end with '/'"),
        ("SLACK_API_URL", "127.0.0.1/api/", "http(s) URL"),
        ("APPROVER_USER_IDS", "U01,bob", "user IDs"),
    ],
)
def test_a_bad_setting_fails_with_its_name(setting: str, value: str | None, words: str) -> None:
    env = dict(GOOD)
    if value is None:
        env.pop(setting, None)
    else:
        env[setting] = value
    with pytest.raises(ConfigError) as raised:
        slack_settings(env)
    assert raised.value.setting == setting
    assert str(raised.value).startswith(setting)
    assert words in str(raised.value)


def test_secrets_never_appear_in_the_settings_repr() -> None:
    text = repr(slack_settings(GOOD))
    assert "xoxb-123-abc" not in text and "s3cret" not in text


def test_the_environment_is_read_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APPROVAL_CHANNEL", "C0OTHER")
    settings = slack_settings()
    assert settings is not None and settings.approval_channel == "C0OTHER"
