"""Run `python -m devhost` as a real process for tests that kill or restart it."""
import asyncio
import re
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def devhost_process(app_dir: Path, db: Path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(app_dir), "--port", "0", "--db", str(db),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    origin = None
    lines = []
    while origin is None:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        lines.append(line)
        if not line:
            raise RuntimeError("devhost exited:\n" + "".join(lines))
        m = re.search(r"Durable management API: (http://[^/]+)/", line)
        origin = m.group(1) if m else None
    drain = asyncio.create_task(proc.stdout.read())
    try:
        yield proc, origin
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        drain.cancel()


async def poll_status(http, origin, iid, wanted, timeout=20.0):
    """The status once its runtimeStatus is one of `wanted`."""
    return await poll(http, origin, iid, lambda s: s["runtimeStatus"] in wanted, timeout)


async def poll(http, origin, iid, ok, timeout=20.0):
    """The status once `ok(status)` holds."""
    deadline = time.monotonic() + timeout
    while True:
        async with http.get(f"{origin}/runtime/webhooks/durabletask/instances/{iid}") as resp:
            status = await resp.json() if resp.status != 404 else None
        if status and ok(status):
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"{iid}: {status}")
        await asyncio.sleep(0.05)  # another process: nothing to await but its HTTP answers
