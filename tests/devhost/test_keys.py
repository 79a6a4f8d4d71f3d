"""The host key: made on first start beside the database, private, kept across restarts."""
import asyncio
import stat
import sys

import aiohttp
import pytest

from devhost.keys import HostKeyError, key_path, load_or_create_host_key
from devhost.testing import run_devhost
from testkit.devhost_process import ROOT
from tests.devhost.conftest import APPS

TUNNEL = {"Host": "devhost-tunnel.example"}


async def test_the_first_start_makes_a_private_key_that_later_starts_reuse(tmp_path):
    db = tmp_path / "state" / "hub.sqlite3"
    async with run_devhost(APPS / "keyed", db_path=db):
        path = key_path(db)
        assert path == tmp_path / "state" / "hub.sqlite3.host-key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        key = path.read_text().strip()
        assert len(key) >= 32
    async with run_devhost(APPS / "keyed", db_path=db) as host, aiohttp.ClientSession() as http:
        assert path.read_text().strip() == key
        async with http.get(f"{host.base_url}/api/ops/ping",
                            headers={**TUNNEL, "x-functions-key": key}) as resp:
            assert await resp.text() == "pong"


async def test_each_database_has_its_own_key(tmp_path):
    first = load_or_create_host_key(key_path(tmp_path / "a.sqlite3"))
    second = load_or_create_host_key(key_path(tmp_path / "b.sqlite3"))
    assert first != second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.sqlite3.host-key",
                                                          "b.sqlite3.host-key"]


def test_a_key_file_others_could_read_is_made_private(tmp_path):
    path = tmp_path / "hub.sqlite3.host-key"
    path.write_text("k" * 43 + "\n")
    path.chmod(0o644)
    assert load_or_create_host_key(path) == "k" * 43
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("content", ["", "\n", "short"])
async def test_a_key_file_without_a_usable_key_stops_the_start_with_a_clear_error(tmp_path,
                                                                                  content):
    db = tmp_path / "hub.sqlite3"
    key_path(db).write_text(content)
    with pytest.raises(HostKeyError, match="delete it"):
        async with run_devhost(APPS / "keyed", db_path=db):
            pass
    assert key_path(db).read_text() == content


@pytest.mark.slow
async def test_the_start_up_listing_says_where_the_key_is_and_never_the_key(tmp_path):
    db = tmp_path / "hub.sqlite3"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devhost", "--app-dir", str(APPS / "keyed"), "--port", "0",
        "--db", str(db), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    lines: list[str] = []
    while not lines or "Press Ctrl+C" not in lines[-1]:
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line, "devhost exited:\n" + "".join(lines)
        lines.append(line)
    proc.send_signal(2)
    lines.append((await asyncio.wait_for(proc.stdout.read(), 20)).decode())
    await proc.wait()
    text = "".join(lines)
    assert "Host key (needed by requests from other machines" in text
    assert str(key_path(db)) in text
    assert key_path(db).read_text().strip() not in text
