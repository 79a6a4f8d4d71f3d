"""What front ends see when the durable backend fails them."""

from __future__ import annotations


class BackendUnavailable(RuntimeError):
    """The durable backend did not answer as expected (not the caller's fault)."""
