"""The tunnel rules docs/sandbox.md shows let Slack's URLs through and nothing else: every
ANONYMOUS function of the real app passes, every keyed function, the management API and the
dashboard are stopped at the tunnel."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from devhost.app_loader import load_function_app
from devhost.dashboard import PAGE_PATH
from devhost.functions import build_index
from devhost.urls import RPC_PATH, WEBHOOK_PATH

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "sandbox.md"


def yaml_blocks() -> list:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC.read_text(), re.S)]


def slack_paths() -> list[str]:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls.append(manifest["settings"]["interactivity"]["request_url"])
    return [urlsplit(u).path for u in urls]


def app_paths() -> tuple[list[str], list[str]]:
    """(ANONYMOUS function paths, every other path devhost serves), with sample parameters."""
    index = build_index(load_function_app(ROOT))
    open_, keyed = [], [f"{WEBHOOK_PATH}/instances", f"{RPC_PATH}/instances/x/terminate", PAGE_PATH,
                        "/_devhost/api/instances"]
    for fn in index.http:
        if fn.route.startswith("{*"):
            continue  # the catch-all only answers 404: no tunnel needs to carry it
        path = "/api/" + re.sub(r"\{[^}]*\}", "x", fn.route)
        (open_ if fn.auth_level == "ANONYMOUS" else keyed).append(path)
    return open_, keyed


def cloudflared_passes(ingress: list[dict], path: str) -> bool:
    """cloudflared takes the first rule whose `path` regex matches (no path: every path)."""
    for rule in ingress:
        if "path" not in rule or re.search(rule["path"], path):
            return not str(rule["service"]).startswith("http_status:")
    raise AssertionError("cloudflared needs a last rule that matches everything")


def ngrok_passes(policy: dict, path: str) -> bool:
    """Each rule's expression `!req.url.path.startsWith('<prefix>')` answers in ngrok itself."""
    for rule in policy["on_http_request"]:
        for expression in rule["expressions"]:
            prefix = re.fullmatch(r"!req\.url\.path\.startsWith\('([^']*)'\)", expression)
            assert prefix, f"unexpected expression {expression!r}"
            if not path.startswith(prefix.group(1)):
                assert rule["actions"][0]["type"] == "custom-response"
                return False
    return True


@pytest.mark.parametrize("tool", ["ngrok", "cloudflared"])
def test_the_documented_tunnel_rules_pass_only_the_anonymous_slack_functions(tool):
    blocks = yaml_blocks()
    if tool == "ngrok":
        rules = [b for b in blocks if isinstance(b, dict) and "on_http_request" in b]
        passes = ngrok_passes
    else:
        rules = [b["ingress"] for b in blocks if isinstance(b, dict) and "ingress" in b]
        passes = cloudflared_passes
    assert len(rules) == 1, f"docs/sandbox.md should show one {tool} rule set"
    open_, keyed = app_paths()
    slack = [p for p in open_ if p.startswith("/api/slack/")]
    assert set(slack_paths()) <= set(slack) and slack
    assert [p for p in slack if not passes(rules[0], p)] == []
    assert [p for p in keyed if passes(rules[0], p)] == []
    assert [p for p in open_ if p not in slack and passes(rules[0], p)] == [], "only Slack's functions"
