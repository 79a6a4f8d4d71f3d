"""The Functions app: every function lives in a blueprint under bot/.

The same file runs on Azure Functions (`func start`, or deployed) and on devhost
(`python -m devhost`). HTTP functions default to FUNCTION auth level (a key is needed in
Azure); the Slack and Teams endpoints opt out to ANONYMOUS because Slack signs its requests and
Teams sends a Bot Framework token instead.
"""

import azure.durable_functions as df
import azure.functions as func

from bot.http_api.blueprint import http_api
from bot.http_api.not_found import not_found
from bot.policy.settings import approval_policy
from bot.slack.blueprint import slack
from bot.teams.blueprint import teams
from bot.workflow.activities import activities
from bot.workflow.blueprint import bp as workflow

# An invalid approval policy stops the app here, with one message naming the file, where and what.
approval_policy()

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (workflow, activities, http_api, slack, teams, not_found):
    app.register_functions(blueprint)
