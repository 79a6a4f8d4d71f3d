"""Microsoft 365 Agents Playground, the local Teams emulator, wired to devhost (never deployed).

The npm package is installed by `make playground` (`npm ci` from package-lock.json); nothing is
downloaded at run time.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "m365agentsplayground.yml"
BINARY = ROOT / "node_modules" / ".bin" / "agentsplayground"

APPROVALS = "19:expense-approvals@thread.tacv2"
ESCALATIONS = "19:senior-management@thread.v2"
PERSONAL_CHAT = "a:personal-alice"
TEAM = "19:finance-general@thread.tacv2"
APPROVERS = ("user-bob", "user-carol")
BOT_ID = "28:expense-bot"


class PlaygroundMissing(RuntimeError):
    """The npm package is not installed (run `make playground`)."""


def installed() -> bool:
    return BINARY.exists() and shutil.which("node") is not None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def app_env(port: int) -> dict[str, str]:
    """The Teams settings that point the function app at a Playground on `port` (anonymous)."""
    return {
        "TEAMS_ENABLED": "true",
        "TEAMS_SERVICE_URL": f"http://localhost:{port}/_connector/",
        "TEAMS_APPROVAL_CONVERSATION": APPROVALS,
        "TEAMS_ESCALATION_CONVERSATION": ESCALATIONS,
        "TEAMS_APPROVER_IDS": ",".join(APPROVERS),
    }


@dataclass
class Playground:
    process: asyncio.subprocess.Process
    port: int
    workdir: tempfile.TemporaryDirectory

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.workdir.cleanup()


async def _answers_http(port: int) -> bool:
    """Whether the Playground's web server answers a request on `port`, whatever the status."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http, http.get(f"http://127.0.0.1:{port}/"):
            return True
    except (aiohttp.ClientError, TimeoutError):
        return False


async def start(bot_url: str, port: int, *, ready_timeout: float = 60.0) -> Playground:
    """Start the Playground on `port`, sending to `bot_url` (…/api/teams/messages); return once it
    answers HTTP (an open port alone is not enough: it accepts connections before it serves)."""
    if not installed():
        raise PlaygroundMissing("Microsoft 365 Agents Playground is not installed: run `make playground`")
    workdir = tempfile.TemporaryDirectory(prefix="agents-playground-")  # it writes devTools/ logs here
    env = {**os.environ, "TEAMSAPPTESTER_BROWSER": "none", "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(CONFIG)}
    process = await asyncio.create_subprocess_exec(
        str(BINARY), "-e", bot_url, "-c", "msteams", "-p", str(port), "--disable-telemetry",
        cwd=workdir.name, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    playground = Playground(process, port, workdir)
    loop = asyncio.get_running_loop()
    give_up = loop.time() + ready_timeout
    while loop.time() < give_up:
        if process.returncode is not None:
            await playground.stop()
            raise RuntimeError(f"the Playground exited with code {process.returncode}")
        if await _answers_http(port):
            return playground
        await asyncio.sleep(0.2)
    await playground.stop()
    raise RuntimeError(f"the Playground did not listen on port {port} within {ready_timeout:.0f} s")
