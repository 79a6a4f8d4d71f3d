"""Teams settings: off unless an app id (or the Playground switch) is set; every setting checked by name."""

import pytest

from bot.config import ConfigError
from bot.teams.config import teams_settings

APP_ID = "6f1c2a40-1111-4222-8333-944455566677"
TENANT = "0b0d1e2f-aaaa-4bbb-8ccc-ddddeeeeffff"
PRODUCTION = {
    "TEAMS_APP_ID": APP_ID, "TEAMS_APP_SECRET": "s3cret", "TEAMS_TENANT_ID": TENANT,
    "TEAMS_SERVICE_URL": "https://smba.trafficmanager.net/teams", "TEAMS_APPROVAL_CONVERSATION": "19:a@thread.tacv2",
    "TEAMS_ESCALATION_CONVERSATION": "19:b@thread.tacv2", "TEAMS_APPROVER_IDS": "29:bob, 29:carol",
}
PLAYGROUND = {
    "TEAMS_ENABLED": "true", "TEAMS_SERVICE_URL": "http://localhost:56150/_connector",
    "TEAMS_APPROVAL_CONVERSATION": "19:a@thread.tacv2", "TEAMS_ESCALATION_CONVERSATION": "19:b@thread.tacv2",
}


def test_without_an_app_id_or_the_switch_teams_is_off() -> None:
    assert teams_settings({}) is None
    assert teams_settings({"TEAMS_ENABLED": "false", "TEAMS_SERVICE_URL": "nonsense"}) is None


def test_a_production_configuration_is_read_and_its_secret_never_shown() -> None:
    settings = teams_settings(PRODUCTION)
    assert settings is not None and not settings.anonymous
    assert settings.service_url == "https://smba.trafficmanager.net/teams/"
    assert settings.approver_ids == frozenset({"29:bob", "29:carol"})
    assert settings.may_approve("29:bob") and not settings.may_approve("29:mallory")
    assert "s3cret" not in repr(settings)


def test_the_playground_is_anonymous_and_an_empty_approver_list_lets_anyone_decide() -> None:
    settings = teams_settings(PLAYGROUND)
    assert settings is not None and settings.anonymous and settings.may_approve("29:anyone")


def test_a_managed_identity_needs_no_secret() -> None:
    settings = teams_settings({**PRODUCTION, "TEAMS_APP_SECRET": "", "TEAMS_AUTH_TYPE": "user_managed_identity"})
    assert settings is not None and settings.app_secret is None


@pytest.mark.parametrize(("base", "setting", "value", "words"), [
    (PRODUCTION, "TEAMS_APP_ID", "my-bot", "GUID"),
    (PRODUCTION, "TEAMS_APP_SECRET", "", "is required"),
    (PRODUCTION, "TEAMS_AUTH_TYPE", "password", "must be one of"),
    (PRODUCTION, "TEAMS_TENANT_ID", "", "is required"),
    (PRODUCTION, "TEAMS_TENANT_ID", "contoso", "GUID"),
    (PRODUCTION, "TEAMS_SERVICE_URL", "", "is required"),
    (PRODUCTION, "TEAMS_SERVICE_URL", "ftp://x", "http(s) URL"),
    (PRODUCTION, "TEAMS_SERVICE_URL", "http://smba.trafficmanager.net/teams/", "https"),
    (PRODUCTION, "TEAMS_APPROVAL_CONVERSATION", "", "is required"),
    (PRODUCTION, "TEAMS_ESCALATION_CONVERSATION", "19 a b", "conversation id"),
    (PRODUCTION, "TEAMS_APPROVER_IDS", "29:bob, bob smith", "Teams user ids"),
    (PLAYGROUND, "TEAMS_ENABLED", "maybe", "true or false"),
    (PLAYGROUND, "TEAMS_SERVICE_URL", "https://smba.trafficmanager.net/teams/", "this machine"),
])
def test_a_bad_setting_fails_with_one_message_naming_it(base, setting, value, words) -> None:
    with pytest.raises(ConfigError) as raised:
        teams_settings({**base, setting: value})
    assert raised.value.setting == setting
    assert words in str(raised.value)
