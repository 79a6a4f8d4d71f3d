"""Everything that speaks Slack: the Bolt app and its listeners, Block Kit builders, the
adapter between Azure Functions and Bolt, and the Web API calls made by activities."""
