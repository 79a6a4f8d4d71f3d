"""Expense approvals in Slack on Azure Durable Functions."""
