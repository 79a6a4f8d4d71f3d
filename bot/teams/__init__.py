"""The Microsoft Teams front end: the Agents SDK handler, its Azure adapter, Adaptive Cards, the notifier."""
