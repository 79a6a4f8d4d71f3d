"""The curl commands the documentation shows work as written against the running app."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import APP_DIR

DOCUMENTED_ORIGIN = "http://localhost:7071"
DOC_FILES = [APP_DIR / "docs" / "http-api.md", APP_DIR / "README.md"]


@dataclass
class Curl:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None


def documented_curls(path: Path) -> list[Curl]:
    """Every literal curl command against localhost:7071 in the file's bash blocks."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", path.read_text(), flags=re.S):
        text = re.sub(r"\\\n\s*", " ", block)
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("curl ") or "$" in line or DOCUMENTED_ORIGIN not in line:
                continue
            commands.append(parse_curl(shlex.split(line, comments=True)))
    return commands


def parse_curl(argv: list[str]) -> Curl:
    curl = Curl(method="GET", url="")
    args = iter(argv[1:])
    for arg in args:
        if arg == "-X":
            curl.method = next(args)
        elif arg == "-H":
            name, _, value = next(args).partition(":")
            curl.headers[name.strip()] = value.strip()
        elif arg == "-d":
            curl.data = next(args)
            if curl.method == "GET":
                curl.method = "POST"
        elif arg.startswith("http"):
            curl.url = arg
        elif arg in ("-s", "-i", "-v"):
            continue
        else:
            raise AssertionError(f"unexpected curl argument {arg!r} in the docs")
    return curl


def doc_files() -> list[Path]:
    return [path for path in DOC_FILES if path.exists() and DOCUMENTED_ORIGIN + "/api/" in path.read_text()]


def test_the_docs_show_the_whole_flow():
    commands = [c for path in doc_files() for c in documented_curls(path)]
    routes = {(c.method, re.sub(r"\{\w+\}", "{}", c.url.split(DOCUMENTED_ORIGIN)[1])) for c in commands}
    assert ("POST", "/api/human_interaction") in routes
    assert ("POST", "/api/approve/{}") in routes
    assert ("POST", "/api/cancel/{}") in routes
    assert ("GET", "/api/status/{}") in routes


@pytest.mark.parametrize("doc", doc_files(), ids=lambda path: path.name)
async def test_every_documented_curl_works_as_written(app_host, http, doc):
    started: dict | None = None
    for curl in documented_curls(doc):
        url = curl.url.replace(DOCUMENTED_ORIGIN, app_host.base_url)
        if "{approvalId}" in url or "{instanceId}" in url:
            if "{approvalId}" in url or started is None:
                # each documented decision gets its own waiting request, made by whoever a
                # documented cancellation names as the requester
                requester = json.loads(curl.data or "{}").get("requester") if "/api/cancel/" in url else None
                body = {"requester": requester} if requester else {}
                async with http.post(f"{app_host.base_url}/api/human_interaction", json=body) as response:
                    started = await response.json()
                await app_host.wait_for_custom_status(
                    started["id"], lambda custom: isinstance(custom, dict) and custom.get("stage") == "waiting_for_approval"
                )
            url = url.replace("{approvalId}", started["approvalId"]).replace("{instanceId}", started["id"])
        data = curl.data.encode() if curl.data is not None else None
        async with http.request(curl.method, url, data=data, headers=curl.headers) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
            expected = {"POST": 202, "GET": 200}[curl.method]
            assert response.status == expected, (curl, body)
        if url.endswith("/api/human_interaction"):
            started = body
            assert json.loads(json.dumps(body))["approvalId"] == f"approval-{body['id']}"
