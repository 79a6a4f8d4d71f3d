"""`python -m devhost`: settings from the app directory and the start-up listing."""
import asyncio
import json
import os
import shutil
import sys

import aiohttp
import pytest

from testkit.devhost_process import ROOT, devhost_process

pytestmark = pytest.mark.slow


async def test_local_settings_and_the_function_listing(basic_app, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(basic_app, app)
    (app / "local.settings.json").write_text(json.dumps({"Values": {"SAMPLE_SETTING": "local"}}))
    os.environ.pop("SAMPLE_SETTING", None)
    async with devhost_process(app, tmp_path / "hub.sqlite3") as (proc, origin), aiohttp.ClientSession() as http:
        async with http.post(f"{origin}/api/echo", data=b"x") as resp:
            assert (await resp.json())["env"] == "local"


async def test_listing_names_every_function_with_its_url(basic_app, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(basic_app), "--port", "0",
        "--db", str(tmp_path / "hub.sqlite3"), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL)
    lines = []
    while not lines or "Press Ctrl+C" not in lines[-1]:
        lines.append((await asyncio.wait_for(proc.stdout.readline(), 20)).decode())
    proc.send_signal(2)
    await proc.wait()
    text = "".join(lines)
    assert "        hello: [GET] http://127.0.0.1:" in text and "/api/hello/{name?}" in text
    assert "        approval: orchestrationTrigger" in text
    assert "        say_hello: activityTrigger" in text


async def test_a_missing_app_is_a_clear_error(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(tmp_path), "--port", "0",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 1
    assert "no function_app.py in" in err.decode()


async def run_with_db(app, db) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(app), "--port", "0", "--db", str(db),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    return proc.returncode, out.decode() + err.decode()


async def test_a_corrupt_database_file_is_named_with_what_to_do(basic_app, tmp_path):
    db = tmp_path / "hub.sqlite3"
    db.write_bytes(os.urandom(8192))
    code, output = await run_with_db(basic_app, db)
    assert code == 1
    assert f"{db} is not a devhost database" in output
    assert "move it aside or pass --db" in output
    assert "Traceback" not in output and "cannot listen" not in output


@pytest.mark.parametrize("where", ["under a file", "a directory"])
async def test_a_database_path_that_cannot_be_a_file_is_named_with_what_to_do(
        basic_app, tmp_path, where):
    (tmp_path / "plain").write_text("not a directory")
    (tmp_path / "folder").mkdir()
    db = tmp_path / "plain" / "hub.sqlite3" if where == "under a file" else tmp_path / "folder"
    code, output = await run_with_db(basic_app, db)
    assert code == 1
    assert str(db) in output and "pass --db" in output
    assert "Traceback" not in output and "cannot listen" not in output
