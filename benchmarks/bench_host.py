"""The host the answer-latency benchmarks measure: the benchmark app on devhost in its own
process, and a `post` that sends Slack-signed form bodies or JSON activities to it."""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from testkit import slack_requests
from testkit.devhost_process import DevhostProcess

Post = Callable[..., Awaitable[int]]


@asynccontextmanager
async def bench_host(app: str, env: dict[str, str], secret: str, concurrency: int,
                     devhost_arguments: list[str] | None = None) -> AsyncIterator[tuple[DevhostProcess, Post]]:
    """devhost running `app` with `env`, and `post(path, body, signed=True) -> status`: a str body
    is a form signed with Slack's `secret` (unsigned with signed=False), a dict is sent as JSON."""
    with tempfile.TemporaryDirectory(prefix="ack-bench-") as tmp:
        app_dir = Path(tmp) / "app"
        app_dir.mkdir()
        (app_dir / "function_app.py").write_text(app)
        host = DevhostProcess(Path(tmp) / "hub.sqlite3", env, Path(tmp) / "devhost.log", app_dir=app_dir,
                              arguments=devhost_arguments)
        await host.start()
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:

                async def post(path: str, body: str | dict[str, Any], signed: bool = True) -> int:
                    if isinstance(body, dict):
                        data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
                    else:
                        data = body.encode()
                        headers = slack_requests.signed_headers(secret, body) if signed else {}
                    async with session.post(f"{host.origin}{path}", data=data, headers=headers) as response:
                        await response.read()
                        return response.status

                yield host, post
        finally:
            await host.stop()


def save_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"saved {path}")


def load_arguments(description: str | None) -> argparse.Namespace:
    """--requests and --concurrency, shared by the answer-latency benchmarks."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per endpoint (default 500)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--single-process", action="store_true",
                        help="run devhost without its background worker process (for comparison)")
    return parser.parse_args()
