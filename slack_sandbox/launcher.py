"""`python -m slack_sandbox`: the product on one machine, Slack included.

Starts the sandbox workspace and the local Functions host (`python -m devhost`) wired to
each other, then prints the one URL to open. With real Slack settings (SLACK_BOT_TOKEN and
no SLACK_API_URL, in the environment or local.settings.json) it starts devhost alone and
explains how to expose the Slack endpoints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import teams_playground

from .manifest import AppEndpoints, ManifestError
from .ports import choose_port
from .sandbox import Sandbox
from .server import start_server

READY_TIMEOUT_SECONDS = 60.0
PROJECT_ROOT = Path(__file__).resolve().parent.parent  # where `python -m devhost` is importable


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m slack_sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=Path.cwd(), help="folder with function_app.py (default: .)")
    parser.add_argument("--manifest", type=Path, help="Slack app manifest (default: <app-dir>/manifest.yml)")
    parser.add_argument("--host", default="127.0.0.1", help="interface for both servers (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="sandbox web UI and Slack API port (default 3000)")
    parser.add_argument("--devhost-port", type=int, default=7071, help="local Functions host port (default 7071)")
    parser.add_argument("--no-rate-limits", dest="rate_limits", action="store_false",
                        help="answer every Web API call (by default Slack's rate limits apply, with 429s)")
    parser.add_argument("--db", type=Path, help="devhost SQLite file (default: a fresh temporary file, because "
                                                "the sandbox's messages live in memory)")
    return parser.parse_args(argv)


def app_settings(app_dir: Path) -> dict[str, str]:
    """Environment over local.settings.json's Values, the way the Functions host merges them."""
    values: dict[str, str] = {}
    path = app_dir / "local.settings.json"
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            values = {str(k): "" if v is None else str(v) for k, v in (data.get("Values") or {}).items()}
        except (ValueError, AttributeError):
            print(f"warning: {path} is not valid JSON; ignoring it", file=sys.stderr)
    return {**values, **{k: v for k, v in os.environ.items()}}


def uses_real_slack(settings: dict[str, str]) -> bool:
    return bool(settings.get("SLACK_BOT_TOKEN")) and not settings.get("SLACK_API_URL")


def devhost_command(args: argparse.Namespace, port: int, db: Path | None) -> list[str]:
    command = [sys.executable, "-m", "devhost", "--app-dir", str(args.app_dir), "--host", args.host,
               "--port", str(port)]
    if db is not None:
        command += ["--db", str(db)]
    return command


async def wait_until_listening(host: str, port: int, process: asyncio.subprocess.Process) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    while loop.time() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"devhost exited with status {process.returncode}")
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.1)  # startup poll in an interactive launcher, not in tests
            continue
        writer.close()
        return
    raise RuntimeError(f"devhost did not listen on {host}:{port} within {READY_TIMEOUT_SECONDS:g} s")


async def run_real_slack(args: argparse.Namespace) -> int:
    base = f"http://{args.host}:{args.devhost_port}"
    print("Real Slack settings found (SLACK_BOT_TOKEN without SLACK_API_URL): starting devhost without the sandbox.")
    print("Slack must reach these over HTTPS. Expose only /api/slack/ through a tunnel with a path rule")
    print(f"(docs/sandbox.md shows one for ngrok and for cloudflared) in front of {base}:")
    print("everything else on that port (the HTTP API, the management API, the dashboard) is for this")
    print("machine; from elsewhere it answers 401 unless the request carries devhost's host key.")
    print("Then set in your Slack app (or in manifest.yml before importing it):")
    print("    Slash command /expense  ->  https://<tunnel-host>/api/slack/commands")
    print("    Interactivity URL        ->  https://<tunnel-host>/api/slack/interactions")
    print("    Event Subscriptions URL  ->  https://<tunnel-host>/api/slack/events  (bot event app_home_opened)")
    process = await asyncio.create_subprocess_exec(*devhost_command(args, args.devhost_port, args.db),
                                                   cwd=PROJECT_ROOT)
    return await _supervise(process)


async def run_with_sandbox(args: argparse.Namespace) -> int:
    manifest = args.manifest or args.app_dir / "manifest.yml"
    try:
        endpoints = AppEndpoints.from_manifest(manifest)
    except ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sandbox = Sandbox(endpoints=endpoints, rate_limits=args.rate_limits)
    sandbox.install_app()  # the bot joins the approval and escalation channels it is configured for
    sandbox_port = choose_port(args.host, args.port)
    runner = await start_server(sandbox, args.host, sandbox_port.port)
    devhost = choose_port(args.host, args.devhost_port)
    devhost_port = devhost.port
    scratch = tempfile.TemporaryDirectory(prefix="slack-sandbox-")
    db = args.db or Path(scratch.name) / "hub.sqlite3"
    env = {**os.environ, **sandbox.app_env(), "SKIP_SLACK_SDK_WARNING": "1"}
    if not app_settings(args.app_dir).get("TASKHUB_NAME"):  # host.json reads %TASKHUB_NAME%
        env["TASKHUB_NAME"] = "default"
    teams_port = None  # the Playground stands in for Teams unless real Teams settings are given
    if teams_playground.installed() and not any(os.environ.get(n) for n in ("TEAMS_APP_ID", "TEAMS_ENABLED")):
        teams_port = teams_playground.free_port()
        env.update(teams_playground.app_env(teams_port))
    process = await asyncio.create_subprocess_exec(*devhost_command(args, devhost_port, db), env=env,
                                                   cwd=PROJECT_ROOT)
    teams = None
    try:
        await wait_until_listening(args.host, devhost_port, process)
        sandbox.connect_app(f"http://{args.host}:{devhost_port}")
        if teams_port is not None:
            teams = await teams_playground.start(f"http://{args.host}:{devhost_port}/api/teams/messages", teams_port)
        notes = [note for note in (sandbox_port.note("Slack sandbox"), devhost.note("Functions host")) if note]
        print(banner(sandbox, devhost_port, args.host, notes, teams.url if teams else None), flush=True)
        return await _supervise(process)
    finally:
        if teams is not None:
            await teams.stop()
        await _stop(process)
        await runner.cleanup()
        scratch.cleanup()


def banner(sandbox: Sandbox, devhost_port: int, host: str, notes: list[str] | None = None,
           teams_url: str | None = None) -> str:
    line = "=" * 68
    teams = [f"  Teams (Agents Playground):  {teams_url}", "  Type  expense 120 Team lunch  in the chat with Expenses.",
             ""] if teams_url else []
    return "\n".join([
        line,
        *[f"  Note: {note}" for note in notes or []],
        f"  Slack sandbox ready. Open:  {sandbox.base_url}/",
        "",
        "  Type  /expense 120 Team lunch  as Alice, then switch to Bob and click Approve.",
        "",
        *teams,
        f"  Functions host (HTTP API):  http://{host}:{devhost_port}/api/",
        f"  Durable dashboard:          http://{host}:{devhost_port}/_devhost/dashboard/",
        "  Stop with Ctrl-C.",
        line,
    ])


async def _supervise(process: asyncio.subprocess.Process) -> int:
    """Run until devhost exits or we are told to stop; forward the stop to devhost."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiting = asyncio.create_task(process.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    await _stop(process)
    return 0 if stop.is_set() else (process.returncode or 0)


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 10)
    except TimeoutError:
        process.kill()
        await process.wait()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.app_dir = args.app_dir.resolve()
    settings = app_settings(args.app_dir)
    runner = run_real_slack if uses_real_slack(settings) else run_with_sandbox
    try:
        return asyncio.run(runner(args))
    except KeyboardInterrupt:
        return 130
    except (RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
