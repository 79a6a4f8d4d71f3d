"""POST /api/teams/messages: the Teams bot's messaging endpoint (the Azure Bot resource's).

Anonymous because the Bot Connector cannot send a function key; every request's Bot Framework
token is verified instead (bot/teams/auth.py).
"""

import azure.durable_functions as df
import azure.functions as func

from bot.teams.endpoint import handle_teams_request

teams = df.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)


@teams.route(route="teams/messages", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@teams.durable_client_input(client_name="client")
async def teams_messages(req: func.HttpRequest, client) -> func.HttpResponse:
    """Messages, card actions and everything else Teams sends the bot."""
    response = await handle_teams_request(req.get_body(), dict(req.headers), client)
    return func.HttpResponse(body=response.body, status_code=response.status, headers=response.headers)
