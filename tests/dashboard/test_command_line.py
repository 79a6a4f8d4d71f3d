"""`python -m devhost` prints the dashboard's address, serves it, and stops cleanly with a page open."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import aiohttp
import pytest

from .conftest import API, ROOT

pytestmark = pytest.mark.slow


async def test_the_printed_dashboard_address_serves_the_page_and_stops_with_it_open(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(ROOT), "--port", "0",
        "--db", str(tmp_path / "hub.sqlite3"), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        url, lines = None, []
        while url is None:
            line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
            lines.append(line)
            assert line, "devhost exited:\n" + "".join(lines)
            found = re.match(r"Dashboard: (http://\S+/_devhost/dashboard/)$", line.strip())
            url = found.group(1) if found else None
        drain = asyncio.create_task(proc.stdout.read())
        origin = url.split("/_devhost/")[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200 and "<title>devhost dashboard</title>" in await page.text()
            stream = await http.get(f"{origin}{API}/changes")
            assert (await stream.content.readline()).startswith(b"retry:")
            proc.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(proc.wait(), 10) == 0
            stream.release()
        drain.cancel()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
