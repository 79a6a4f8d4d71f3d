"""Stand-ins for third-party servers (only Slack's) used by tests."""
