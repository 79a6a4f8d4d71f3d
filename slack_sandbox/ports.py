"""Picking the launcher's ports: the one asked for whenever nobody else is listening on it.

A port left in TIME-WAIT by the previous run (Ctrl-C, then `make run` again) is free to a server
that sets SO_REUSEADDR, as aiohttp's does; so the probe sets it too, and only a port that another
program really holds makes the launcher move, and say so.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class PortChoice:
    wanted: int
    port: int

    @property
    def moved(self) -> bool:
        return self.wanted != 0 and self.port != self.wanted

    def note(self, what: str) -> str | None:
        """A plain sentence for the banner when the launcher could not have the port it wanted."""
        if not self.moved:
            return None
        return f"Port {self.wanted} is in use by another program, so the {what} is on port {self.port}."


def can_bind(host: str, port: int) -> bool:
    """Whether a server with SO_REUSEADDR could listen on host:port now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError:
            return False
    return True


def choose_port(host: str, wanted: int) -> PortChoice:
    """`wanted` if it can be had, else any free port (0 asks for any port outright)."""
    if wanted and can_bind(host, wanted):
        return PortChoice(wanted, wanted)
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return PortChoice(wanted, probe.getsockname()[1])


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
