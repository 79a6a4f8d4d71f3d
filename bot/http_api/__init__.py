"""The sample README's HTTP API: start a request, decide it, read its status."""
