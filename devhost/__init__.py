"""devhost: run an Azure Functions Python app and its durable orchestrations on one machine.

The real azure-functions-durable SDK replays orchestrations; SQLite (WAL) holds the state.
Checked against azure-functions 1.26.0 and azure-functions-durable 1.7.0.
"""
