"""Every error under /api/ is JSON, whatever the path or method."""

from __future__ import annotations

import aiohttp
import pytest

from devhost.testing import run_devhost
from testkit.slack_harness import APP_DIR


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/human_interaction"),
    ("DELETE", "/api/approve/approval-abc"),
    ("POST", "/api/status/abc"),
    ("GET", "/api/nothing/here"),
    ("PUT", "/api/"),
])
async def test_a_wrong_method_or_path_answers_404_with_a_json_error(method: str, path: str) -> None:
    async with run_devhost(APP_DIR) as host, aiohttp.ClientSession() as http:
        async with http.request(method, host.base_url + path) as response:
            assert response.status == 404
            body = await response.json()
            assert method in body["error"] and "docs/http-api.md" in body["error"]
        async with http.get(f"{host.base_url}/api/status/unknown") as response:
            assert response.status == 404 and "no approval request" in (await response.json())["error"]
