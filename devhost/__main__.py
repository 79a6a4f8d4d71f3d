"""`python -m devhost`: run the Functions app in the current (or given) directory, like `func start`."""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from .app_loader import AppLoadError
from .host import CannotListen, DevHost, HostConfig
from .keys import HostKeyError
from .settings import SettingsError, apply_local_values, read_local_values
from .store import StoreUnusable


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__)
    parser.add_argument("--app-dir", type=Path, default=Path.cwd(),
                        help="directory holding function_app.py (default: current directory)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=7071, help="port to listen on")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite file (default: <app-dir>/.devhost/<hub>.sqlite3)")
    parser.add_argument("--single-process", action="store_true",
                        help="run orchestrations, activities and entities in the HTTP process "
                             "instead of a background worker process beside it")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> int:
    host = DevHost(HostConfig(app_dir=args.app_dir, host=args.host, port=args.port,
                              db_path=args.db, background_process=not args.single_process))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await host.start()
    print("\nFunctions:\n", flush=True)
    for name, description in host.function_urls():
        print(f"        {name}: {description}")
    print(f"\nDurable management API: {host.urls.webhook_base}")
    print(f"Dashboard: {host.dashboard_url}")
    print(f"State: {host.db_path}")
    print(f"Host key (needed by requests from other machines or through a tunnel, except for "
          f"anonymous functions): in {host.host_key_path}")
    print("Press Ctrl+C to stop.\n", flush=True)
    stopping: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
    watching = [stopping]
    if host.background is not None:
        watching.append(asyncio.ensure_future(host.background.exited()))
    try:
        done, _ = await asyncio.wait(watching, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in watching:
            task.cancel()
        print("Stopping devhost...", flush=True)
        await host.stop()
    if stopping not in done:
        print("devhost: the background worker stopped unexpectedly; see the log above",
              file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(levelname)s %(message)s")
    args.app_dir = args.app_dir.resolve()
    try:
        apply_local_values(read_local_values(args.app_dir))
        return asyncio.run(serve(args))
    except (StoreUnusable, AppLoadError, SettingsError, CannotListen, HostKeyError) as exc:
        print(f"devhost: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
