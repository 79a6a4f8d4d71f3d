"""`make run` again right after Ctrl-C gets its ports back; a port another program holds is named."""

from __future__ import annotations

import socket

from slack_sandbox.ports import choose_port

HOST = "127.0.0.1"


def port_left_in_time_wait() -> int:
    """A port whose last connection this side closed first, as a server stopped by Ctrl-C leaves it."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the launcher's servers do (aiohttp)
        listener.bind((HOST, 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        client = socket.create_connection((HOST, port))
        accepted, _ = listener.accept()
        accepted.close()  # the server's side closes first: TIME-WAIT stays on the server's port
        client.recv(1)
        client.close()
    return port


def test_a_port_in_time_wait_is_taken_again():
    port = port_left_in_time_wait()
    with socket.socket() as plain:  # without SO_REUSEADDR the port still looks busy
        try:
            plain.bind((HOST, port))
            raise AssertionError("expected the port to be in TIME-WAIT")
        except OSError:
            pass
    choice = choose_port(HOST, port)
    assert choice.port == port and not choice.moved and choice.note("Slack sandbox") is None


def test_a_port_another_program_listens_on_moves_and_says_so():
    with socket.socket() as other:
        other.bind((HOST, 0))
        other.listen(1)
        held = other.getsockname()[1]
        choice = choose_port(HOST, held)
    assert choice.moved and choice.port != held
    assert choice.note("Slack sandbox") == \
        f"Port {held} is in use by another program, so the Slack sandbox is on port {choice.port}."


def test_port_zero_means_any_port_and_is_not_a_move():
    choice = choose_port(HOST, 0)
    assert choice.port > 0 and not choice.moved
