"""The anonymous Slack HTTP functions: /api/slack/commands, /api/slack/interactions and
/api/slack/events.

Anonymous because Slack cannot send a function key; Bolt verifies Slack's signature instead.
"""

import azure.durable_functions as df
import azure.functions as func

from bot.slack.endpoint import handle_slack_request

slack = df.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@slack.route(route="slack/commands", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@slack.durable_client_input(client_name="client")
async def slack_commands(req: func.HttpRequest, client) -> func.HttpResponse:
    """Slash commands (/expense)."""
    return await _serve(req, client)


@slack.route(route="slack/interactions", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@slack.durable_client_input(client_name="client")
async def slack_interactions(req: func.HttpRequest, client) -> func.HttpResponse:
    """Button clicks and modal submissions."""
    return await _serve(req, client)


@slack.route(route="slack/events", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@slack.durable_client_input(client_name="client")
async def slack_events(req: func.HttpRequest, client) -> func.HttpResponse:
    """Events API: app_home_opened (and Slack's URL verification)."""
    return await _serve(req, client)


async def _serve(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    response = await handle_slack_request(req.get_body(), dict(req.headers), dict(req.params), client)
    return func.HttpResponse(body=response.body, status_code=response.status, headers=response.headers)
