"""A local Slack workspace: Web API, signed requests to the app, and a browser UI.

It lets the bot run end to end on one machine with no Slack account, and gives the
end-to-end and browser tests a faithful Slack to talk to.
"""
