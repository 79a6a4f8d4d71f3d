"""Bolt listeners, one module per thing a person does in Slack."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import (
    app_home,
    cancel_button,
    decision_buttons,
    deny_reason,
    expense_command,
    new_request_form,
)


def register_listeners(app: AsyncApp) -> None:
    """Listeners read the settings and the workflow client from Bolt's context."""
    expense_command.register(app)
    new_request_form.register(app)
    decision_buttons.register(app)
    deny_reason.register(app)
    cancel_button.register(app)
    app_home.register(app)
