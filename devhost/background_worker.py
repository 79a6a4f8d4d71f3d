"""`python -m devhost.background_worker`: the background worker that `python -m devhost` starts.

It loads the same app, opens the same task hub and runs the engine's background work there:
orchestration episodes, activities, timers and entity batches (background_link.py has the
link). It lives exactly as long as its HTTP process: it stops when the link closes, and on
Linux the kernel kills it with its parent, so a `kill -9` of devhost is still a crash of the
whole host, never a worker left running on the task hub.
"""
from __future__ import annotations

import argparse
import asyncio
import ctypes
import ctypes.util
import json
import logging
import os
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from azure.durable_functions.models.utils import http_utils

from .app_loader import load_function_app
from .background_link import line
from .clock import SystemClock
from .engine import Engine
from .functions import build_index
from .settings import read_host_settings
from .sqlite_store import SqliteStore
from .urls import DurableUrls

log = logging.getLogger("devhost")

_PR_SET_PDEATHSIG = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devhost.background_worker", description=__doc__)
    parser.add_argument("--link-fd", type=int, required=True)
    parser.add_argument("--app-dir", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    return parser.parse_args(argv)


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (elsewhere the link's EOF ends it)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    parent = os.getppid()
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class ChangeNotices:
    """Tell the HTTP process that the task hub changed: one notice per loop turn at most."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._due = False

    def __call__(self) -> None:
        if not self._due:
            self._due = True
            asyncio.get_running_loop().call_soon(self._send)

    def _send(self) -> None:
        self._due = False
        if not self._writer.is_closing():
            self._writer.write(line({"changed": True}))


async def run(args: argparse.Namespace) -> None:
    reader, writer = await asyncio.open_unix_connection(sock=socket.socket(fileno=args.link_fd))
    settings = read_host_settings(args.app_dir)
    index = build_index(load_function_app(args.app_dir))
    store = SqliteStore(args.db, joined=True)
    executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="devhost-fn")
    engine = Engine(store, SystemClock(), index, executor, versioning=settings.versioning)
    engine.client_binding = DurableUrls(args.base_url, settings.hub_name).client_binding_json
    engine.on_change = ChangeNotices(writer)
    engine.start()
    try:
        while raw := await reader.readline():
            message = json.loads(raw)
            if "instance" in message:
                engine.mark_dirty(message["instance"], urgent=bool(message.get("urgent")))
            elif "entity" in message:
                engine.entities.mark_dirty(message["entity"])
    finally:
        await engine.stop()
        writer.close()
        executor.shutdown(wait=False, cancel_futures=True)
        store.close()
        await http_utils._close_session()


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the HTTP process, which stops us
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(message)s")
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
