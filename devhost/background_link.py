"""The HTTP process's end of the background worker (background_worker.py).

The Functions host serves HTTP in its own process and runs the app's code in a language worker
beside it. `python -m devhost` splits the same way where it counts: the HTTP process answers
requests (HTTP functions, the management and entity APIs, the dashboard) and the background
worker runs orchestration episodes, activities, timers and entity batches. Both use the one
SQLite task hub; this link carries only wake-ups between them, as JSON lines over a socket pair:

    HTTP process -> worker   {"instance": id, "urgent": bool}   {"entity": scheduler id}
    worker -> HTTP process   {"changed": true}   (something in the task hub changed)

So a burst of requests never waits behind the work it started: the two run on two cores.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
from pathlib import Path

from .engine import Engine

log = logging.getLogger("devhost")

WORKER_MODULE = "devhost.background_worker"
STOP_SECONDS = 10.0  # for the worker to finish what it is doing after the link closes


def line(message: dict[str, object]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


class BackgroundWorker:
    """The worker process and its link; the HTTP process's engine hands it its work."""

    def __init__(self, engine: Engine, writer: asyncio.StreamWriter, reader: asyncio.StreamReader,
                 child: socket.socket) -> None:
        self._engine = engine
        self._writer = writer
        self._reader = reader
        self._child: socket.socket | None = child
        self._process: asyncio.subprocess.Process | None = None
        self._listening: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, engine: Engine) -> BackgroundWorker:
        """The link, before the worker runs: what is sent now waits in the socket for it."""
        ours, theirs = socket.socketpair()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        worker = cls(engine, writer, reader, theirs)
        engine.background = worker
        return worker

    async def spawn(self, app_dir: Path, db_path: Path, base_url: str) -> None:
        """Start the worker process; it serves the durable client binding from `base_url`."""
        child = self._child
        assert child is not None, "spawned once"
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", WORKER_MODULE, "--link-fd", str(child.fileno()),
            "--app-dir", str(app_dir), "--db", str(db_path), "--base-url", base_url,
            pass_fds=(child.fileno(),))
        child.close()
        self._child = None
        self._listening = asyncio.create_task(self._listen(), name="devhost-background-link")

    # -- the engine's Background ---------------------------------------------------------------
    def instance(self, instance_id: str, urgent: bool) -> None:
        self._writer.write(line({"instance": instance_id, "urgent": urgent}))

    def entity(self, entity_id: str) -> None:
        self._writer.write(line({"entity": entity_id}))

    # -- the worker's side ---------------------------------------------------------------------
    async def _listen(self) -> None:
        while raw := await self._reader.readline():
            if json.loads(raw).get("changed"):
                self._engine.notify()

    async def exited(self) -> int:
        """The worker's exit code, once it has exited."""
        assert self._process is not None, "not spawned"
        return await self._process.wait()

    async def stop(self) -> None:
        """Close the link (the worker finishes and exits), killing the worker if it won't."""
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()
        if self._child is not None:
            self._child.close()
        if self._process is not None and self._process.returncode is None:
            try:
                await asyncio.wait_for(self._process.wait(), STOP_SECONDS)
            except TimeoutError:
                log.warning("the background worker did not stop in %.0f s; killing it", STOP_SECONDS)
                self._process.kill()
                await self._process.wait()
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
