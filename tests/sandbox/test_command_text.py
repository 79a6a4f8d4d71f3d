"""A slash command's text arrives escaped as Slack sends it, per the command's should_escape."""

from __future__ import annotations

from pathlib import Path

from slack_sandbox.manifest import AppEndpoints
from slack_sandbox.testing import PROJECT_MANIFEST

TYPED = "/expense 120 Lunch & drinks <b>team</b> with @bob in #general, menu https://example.com/m?a=1&b=2"


async def test_with_should_escape_mentions_channels_and_links_arrive_as_slack_markup(slack, app):
    await slack.slash_command("U0ALICE", TYPED)
    assert app.received[0].signature_valid
    assert app.received[0].form["text"] == (
        "120 Lunch &amp; drinks &lt;b&gt;team&lt;/b&gt; with <@U0BOB|bob> in <#C0GENERAL|general>, "
        "menu <https://example.com/m?a=1&amp;b=2>")


async def test_without_should_escape_only_the_control_characters_are_escaped(manifest: Path, slack, app):
    manifest.write_text(manifest.read_text().replace("should_escape: true", "should_escape: false"))
    slack.sandbox.endpoints = AppEndpoints.from_manifest(manifest)
    await slack.slash_command("U0ALICE", TYPED)
    assert app.received[0].form["text"] == (
        "120 Lunch &amp; drinks &lt;b&gt;team&lt;/b&gt; with @bob in #general, menu https://example.com/m?a=1&amp;b=2")


async def test_unknown_names_stay_as_typed(slack, app):
    await slack.slash_command("U0ALICE", "/expense 5 for @nobody in #nowhere, mail me@example.com")
    assert app.received[0].form["text"] == "5 for @nobody in #nowhere, mail me@example.com"


def test_the_projects_expense_command_does_not_ask_for_escaping():
    assert AppEndpoints.from_manifest(PROJECT_MANIFEST).command_escapes == {"/expense": False}


async def test_a_typed_message_keeps_its_angle_brackets_as_text(slack):
    await slack.say("U0ALICE", "see <!date^1e20^{date}|x> & <@U0BOB>")
    assert slack.messages("C0APPROVALS")[-1].text == "see &lt;!date^1e20^{date}|x&gt; &amp; &lt;@U0BOB&gt;"
