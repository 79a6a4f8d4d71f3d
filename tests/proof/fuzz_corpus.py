"""Generators of bad requests for every HTTP endpoint of the app, none of which may change state.

Each request is built around three real approvals (waiting, approved, escalated) so that ids are
sometimes real. Requests that a correct app would accept (a valid start, a valid decision on the
waiting approval, Deny opening a form) are never generated here; property tests cover those
differentially.
"""

from __future__ import annotations

import json
import random
import string
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from testkit import slack_requests as slack
from testkit.slack_harness import APPROVER, OTHER_APPROVER, OUTSIDER, REQUESTER, SECRET

MANAGEMENT = "/runtime/webhooks/durabletask"
UNSIGNED, FORGED, SIGNED = "unsigned", "forged", "signed"


@dataclass(frozen=True)
class Targets:
    waiting: str  # instance ids
    approved: str
    escalated: str
    waiting_message: tuple[str, str]  # (channel, ts) of the waiting request's message
    response_url: str  # where Slack replies go (the fake)


@dataclass
class BadRequest:
    label: str
    method: str
    path: str
    body: bytes
    headers: dict[str, str]
    trust: str  # UNSIGNED / FORGED: must be 401 and change nothing at all; SIGNED: 4xx or ephemeral


def weird_text(rng: random.Random) -> str:
    pick = rng.randrange(10)
    if pick == 0:
        return ""
    if pick == 1:
        return "x" * rng.choice([257, 2001, 5000, 70_000])
    if pick == 2:
        return "".join(chr(rng.choice([0x0, 0x7F, 0x202E, 0xFEFF, 0x1F4A9, 0x0663, 0xD7FF, 0x10FFFF]))
                       for _ in range(rng.randrange(1, 40)))
    if pick == 3:
        return rng.choice(["approval-", "approval-" + "g" * 32, "../../etc/passwd", "%00", "<script>", "null",
                           "approval-" + "0" * 32, "' OR 1=1 --", "${jndi:x}", "\n\r\t"])
    if pick == 4:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(1, 80)))
    return "".join(rng.choice(string.ascii_letters + "é漢ß🙂 ") for _ in range(rng.randrange(1, 30)))


def weird_value(rng: random.Random, depth: int = 0) -> Any:
    choices = [lambda: None, lambda: True, lambda: False, lambda: 0, lambda: -1, lambda: 1e308, lambda: -0.0,
               lambda: rng.randrange(-10**20, 10**20), lambda: weird_text(rng), lambda: "9" * 400]
    if depth < 3:
        choices += [lambda: [weird_value(rng, depth + 1) for _ in range(rng.randrange(4))],
                    lambda: {weird_text(rng)[:20]: weird_value(rng, depth + 1) for _ in range(rng.randrange(4))}]
    return rng.choice(choices)()


# --- Slack ------------------------------------------------------------------------------------


def _sign(body: str, rng: random.Random, trust: str) -> dict[str, str]:
    if trust == SIGNED:
        return slack.signed_headers(SECRET, body)
    if trust == UNSIGNED:
        return rng.choice([{}, {"content-type": "application/x-www-form-urlencoded"},
                           {"x-slack-request-timestamp": str(int(time.time()))}])
    now = int(time.time())
    forgeries = [
        lambda: slack.signed_headers("not-the-secret", body),
        lambda: slack.signed_headers(SECRET, body, timestamp=now - 60 * 6),  # stale: a replay
        lambda: slack.signed_headers(SECRET, body, timestamp=now + 60 * 6),
        lambda: {**slack.signed_headers(SECRET, body + "&x=1")},  # signed a different body
        lambda: {**slack.signed_headers(SECRET, body), "x-slack-signature": "v0=" + "0" * 64},
        lambda: {**slack.signed_headers(SECRET, body), "x-slack-signature": ""},
        lambda: {**slack.signed_headers(SECRET, body), "x-slack-request-timestamp": "soon"},
        lambda: {**slack.signed_headers(SECRET, body), "x-slack-signature": "v1=" + "a" * 64},
    ]
    return rng.choice(forgeries)()


def _click(rng: random.Random, targets: Targets, *, action_id: str, value: str, user_id: str) -> dict[str, Any]:
    channel, ts = targets.waiting_message
    return slack.button_click(action_id, value, user_id=user_id, user_name=user_id.lower(), channel=channel,
                              message_ts=ts, response_url=targets.response_url)


def genuine_looking_slack(rng: random.Random, targets: Targets) -> tuple[str, str, str]:
    """(label, path, body) of requests that WOULD act if they were signed: approve the waiting
    request, deny it with a reason, start a new one."""
    waiting = f"approval-{targets.waiting}"
    channel, ts = targets.waiting_message
    choice = rng.randrange(3)
    if choice == 0:
        return "approve click", "/api/slack/interactions", slack.interaction_body(
            _click(rng, targets, action_id="approve_request", value=waiting, user_id=APPROVER))
    if choice == 1:
        metadata = json.dumps({"approvalId": waiting, "channel": channel, "ts": ts})
        return "deny submission", "/api/slack/interactions", slack.interaction_body(slack.view_submission(
            "deny_reason", {"reason": slack.text_value("forged")}, user_id=APPROVER, private_metadata=metadata))
    return "slash command", "/api/slack/commands", slack.slash_command_body(
        "5000 Forged conference", user_id=REQUESTER, response_url=targets.response_url)


def signed_but_invalid_slack(rng: random.Random, targets: Targets) -> tuple[str, str, str]:
    waiting, approved, escalated = (f"approval-{targets.waiting}", f"approval-{targets.approved}",
                                    f"approval-{targets.escalated}")
    channel, ts = targets.waiting_message
    kind = rng.randrange(16)
    interactions = "/api/slack/interactions"
    if kind == 0:
        return "raw bytes", rng.choice([interactions, "/api/slack/commands"]), weird_text(rng)
    if kind == 1:
        return "payload not JSON", interactions, urlencode({"payload": weird_text(rng)})
    if kind == 2:
        return "payload wrong JSON type", interactions, urlencode({"payload": json.dumps(weird_value(rng))})
    if kind == 3:
        payload = _click(rng, targets, action_id=weird_text(rng) or "x", value=waiting, user_id=APPROVER)
        return "unknown action id", interactions, slack.interaction_body(payload)
    if kind == 4:
        value = rng.choice([approved, escalated, "approval-" + "f" * 32, weird_text(rng)])
        payload = _click(rng, targets, action_id=rng.choice(["approve_request", "deny_request"]), value=value,
                         user_id=rng.choice([APPROVER, OTHER_APPROVER]))
        return "click on a finished or unknown approval", interactions, slack.interaction_body(payload)
    if kind == 5:
        payload = _click(rng, targets, action_id=rng.choice(["approve_request", "deny_request"]), value=waiting,
                         user_id=rng.choice([REQUESTER, OUTSIDER]))
        return "click by the requester or a non-approver", interactions, slack.interaction_body(payload)
    if kind == 6:
        payload = _click(rng, targets, action_id="approve_request", value=waiting, user_id=APPROVER)
        # Only fields without which the click is not a decision (team, container, response_url and
        # trigger_id don't make an Approve invalid, so mangling them is not "bad input").
        path = rng.choice([("user",), ("user", "id"), ("actions",), ("type",), ("actions", 0, "value")])
        _mangle(payload, path, weird_value(rng))
        return f"click with {'.'.join(map(str, path))} mangled", interactions, slack.interaction_body(payload)
    if kind == 7:
        payload = slack.view_submission(weird_text(rng) or "x", {"reason": slack.text_value("x")}, user_id=APPROVER)
        return "unknown callback id", interactions, slack.interaction_body(payload)
    if kind == 8:
        metadata = rng.choice([weird_text(rng), json.dumps(weird_value(rng)),
                               json.dumps({"approvalId": rng.choice([approved, escalated, "approval-" + "1" * 32]),
                                           "channel": channel, "ts": ts})])
        payload = slack.view_submission("deny_reason", {"reason": slack.text_value("because")}, user_id=APPROVER,
                                        private_metadata=metadata)
        return "deny form for a bad, finished or unknown approval", interactions, slack.interaction_body(payload)
    if kind == 9:
        metadata = json.dumps({"approvalId": waiting, "channel": channel, "ts": ts})
        reason = rng.choice(["", "   ", "x" * 2001, None])
        payload = slack.view_submission("deny_reason", {"reason": slack.text_value(reason)}, user_id=APPROVER,
                                        private_metadata=metadata)
        return "deny form with an empty or huge reason", interactions, slack.interaction_body(payload)
    if kind == 10:
        metadata = json.dumps({"approvalId": waiting, "channel": channel, "ts": ts})
        payload = slack.view_submission("deny_reason", {"reason": slack.text_value("mine")},
                                        user_id=rng.choice([REQUESTER, OUTSIDER]), private_metadata=metadata)
        return "deny form from the requester or a non-approver", interactions, slack.interaction_body(payload)
    if kind == 11:
        values = {block: rng.choice([slack.text_value(weird_text(rng)), {"type": "x"}, weird_value(rng)])
                  for block in rng.sample(["amount", "description", "request_type", "timeout", "junk"], 3)}
        values["amount"] = slack.text_value(rng.choice(["", "abc", "-5", "0", "1e400", "NaN", "٥"]))
        payload = slack.view_submission("new_expense_request", values, user_id=REQUESTER)
        return "new-request form with invalid values", interactions, slack.interaction_body(payload)
    if kind == 12:
        payload = slack.view_submission("deny_reason", {}, user_id=APPROVER)
        _mangle(payload, rng.choice([("view",), ("view", "state"), ("view", "state", "values"),
                                     ("view", "type"), ("view", "callback_id")]), weird_value(rng))
        return "view submission with a mangled view", interactions, slack.interaction_body(payload)
    if kind == 13:
        fields = dict(pair.split("=", 1) for pair in slack.slash_command_body(
            "5000 Conference", response_url=targets.response_url).split("&"))
        if rng.random() < 0.5:
            fields["command"] = rng.choice(["", "/expenses", "/approve", quote(weird_text(rng))])
        else:
            del fields[rng.choice(["command", "user_id", "team_id"])]
        return "slash command with a bad command or without command/user/team", "/api/slack/commands", "&".join(
            f"{k}={v}" for k, v in fields.items())
    if kind == 14:
        return "interaction posted to the commands endpoint", "/api/slack/commands", slack.interaction_body(
            _click(rng, targets, action_id="approve_request", value=waiting, user_id=REQUESTER))
    payload = {"type": rng.choice(["block_suggestion", "shortcut", "message_action", "view_closed",
                                   "url_verification", weird_text(rng)]),
               "user": {"id": APPROVER}, "team": slack.TEAM, "view": {"type": "modal", "callback_id": "deny_reason"}}
    return "other interaction types", interactions, slack.interaction_body(payload)


def _mangle(node: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        node = node[key]
    if isinstance(node, list) and node and isinstance(path[-1], int):
        node[path[-1]] = value
    elif isinstance(node, dict):
        if value is None and path[-1] in node:
            del node[path[-1]]
        else:
            node[path[-1]] = value


def slack_request(rng: random.Random, targets: Targets) -> BadRequest:
    trust = rng.choice([UNSIGNED, FORGED, SIGNED, SIGNED])
    if trust == SIGNED:
        label, path, body = signed_but_invalid_slack(rng, targets)
    else:
        label, path, body = genuine_looking_slack(rng, targets)
    return BadRequest(f"{trust} {label}", "POST", path, body.encode("utf-8", "surrogatepass"),
                      _sign(body, rng, trust), trust)


# --- HTTP API ---------------------------------------------------------------------------------


def invalid_start_body(rng: random.Random) -> Any:
    base = {"request_type": "expense_approval", "amount": 100, "requester": "a@b.c", "description": "x"}
    field, bad = rng.choice([
        ("amount", rng.choice([-1, 0, "abc", True, 1e309, "NaN", [], {}, 10**16])),  # (null: no amount, valid)
        ("timeout_minutes", rng.choice([0, -5, 10**9, "ten", True, 1.5e12, [], None])),
        ("timeout_seconds", rng.choice([0, -1, 10**8, "10", False, {}])),
        ("requester", rng.choice(["", "x" * 257, 5, None, [], {"a": 1}])),
        ("description", rng.choice(["x" * 2001, 7, [], {"x": "y"}])),
        ("request_type", rng.choice(["", "x" * 65, 3, None, [], "Expense Approval!"])),
    ])
    body: Any = {**base, field: bad}
    if rng.random() < 0.15:
        body = {**base, "timeout_minutes": 5, "timeout_seconds": 5}
    if rng.random() < 0.15:
        body = rng.choice([[], "string", 5, None, [base]])
    return body


def invalid_decision_body(rng: random.Random) -> Any:
    base = {"approved": True, "approver": "manager@company.com", "comments": "ok"}
    field, bad = rng.choice([
        ("approved", rng.choice(["true", 1, 0, None, "yes", [], {}])),
        ("approver", rng.choice(["", "x" * 257, 5, None, [], {"n": 1}])),
        ("comments", rng.choice(["x" * 2001, 5, [], {"c": 1}])),
        ("unexpected", weird_value(rng)),
    ])
    body: Any = {**base, field: bad}
    if field == "approver" and rng.random() < 0.3:
        body = {"approved": True}
    if rng.random() < 0.15:
        body = rng.choice([[], "approved", True, None, [base], json.dumps(json.dumps(base))])
    return body


def http_api_request(rng: random.Random, targets: Targets) -> BadRequest:
    kind = rng.randrange(9)
    json_headers = {"content-type": "application/json"}
    if kind == 0:
        # (an empty body is valid: every field has a default)
        raw = rng.choice([json.dumps(invalid_start_body(rng)), weird_text(rng).strip() or "{}}", "{", '{"amount": 1e999}',
                          '{"amount": NaN}', '{"amount": Infinity}'])
        return BadRequest("start: invalid body", "POST", "/api/human_interaction", raw.encode("utf-8", "surrogatepass"),
                          json_headers, SIGNED)
    if kind == 1:
        raw = rng.choice([json.dumps(invalid_decision_body(rng)), weird_text(rng), "{", '{"approved": true,'])
        which = rng.choice([targets.waiting, f"approval-{targets.waiting}"])
        return BadRequest("approve waiting: invalid body", "POST", f"/api/approve/{which}",
                          raw.encode("utf-8", "surrogatepass"), json_headers, SIGNED)
    if kind == 2:
        target = rng.choice([targets.approved, targets.escalated, f"approval-{targets.approved}", "0" * 32,
                             "approval-" + "e" * 32, quote(weird_text(rng) or "x", safe="")])
        body = json.dumps(rng.choice([{"approved": rng.random() < 0.5, "approver": "m@c.com"},
                                      invalid_decision_body(rng)]))
        return BadRequest("approve finished/unknown", "POST", f"/api/approve/{target}", body.encode(), json_headers,
                          SIGNED)
    if kind == 3:
        target = rng.choice(["0" * 32, "approval-" + "a" * 32, quote(weird_text(rng) or "x", safe=""), "%2e%2e"])
        return BadRequest("status unknown", "GET", f"/api/status/{target}", b"", {}, SIGNED)
    if kind == 8:
        name = rng.choice(["from", "to", "status", "format", "limit", "continuation",
                           quote(weird_text(rng) or "x", safe="")])
        value = quote(weird_text(rng) or "-1", safe="")
        return BadRequest("export: bad query", "GET", f"/api/approvals?{name}={value}", b"", {}, SIGNED)
    if kind == 4:
        method, path = rng.choice([("GET", "/api/human_interaction"), ("PUT", f"/api/approve/{targets.waiting}"),
                                   ("DELETE", f"/api/status/{targets.waiting}"), ("POST", "/api/status/x"),
                                   ("GET", "/api/slack/commands"), ("GET", "/api/nope")])
        return BadRequest("wrong method or route", method, path, b"{}", json_headers, SIGNED)
    if kind == 5:
        iid = rng.choice(["0" * 32, quote(weird_text(rng) or "x", safe=""), targets.approved, targets.escalated,
                          quote("@" + weird_text(rng), safe=""), "%40monthly_spend%40nobody"])  # entity ids
        method, tail, body, headers = rng.choice([
            ("GET", f"instances/{iid}", b"", {}),
            ("POST", f"instances/{iid}/raiseEvent/approval_response", b'{"approved": true, "approver": "x"}',
             json_headers),
            ("POST", f"instances/{iid}/terminate?reason=x", b"", {}),
            ("POST", f"instances/{iid}/suspend", b"", {}),
            ("POST", f"instances/{iid}/rewind", b"", {}),
            ("DELETE", f"instances/{iid}" if iid not in (targets.approved, targets.escalated) else "instances/0", b"",
             {}),
            ("POST", f"instances/{iid}/{quote(weird_text(rng) or 'x', safe='')}", b"", {}),
        ])
        return BadRequest("management API on unknown/finished", method, f"{MANAGEMENT}/{tail}", body, headers, SIGNED)
    if kind == 7:
        # a request made in Slack: over HTTP it is never cancelled, whatever the body says
        target = rng.choice([targets.waiting, targets.approved, targets.escalated, "0" * 32,
                             quote(weird_text(rng) or "x", safe="")])
        body = rng.choice([{"requester": "ureq1"}, {"requester": rng.choice(["", 5, None, "x" * 257])},
                           {"requester": "ureq1", "reason": rng.choice([5, "x" * 2001])},
                           {"requester": "ureq1", "cancelledBy": {"platform": "slack", "id": "UREQ1"}},
                           {"cancel": True, "by": "ureq1"}, weird_value(rng)])
        return BadRequest("cancel over HTTP", "POST", f"/api/cancel/{target}",
                          json.dumps(body).encode("utf-8", "surrogatepass"), json_headers, SIGNED)
    waiting = targets.waiting
    method, tail, body, headers = rng.choice([
        ("GET", f"instances?top={quote(weird_text(rng))}", b"", {}),
        ("GET", f"instances?createdTimeFrom={quote(weird_text(rng) or 'x')}", b"", {}),
        ("GET", "instances?runtimeStatus=,,,&showInput=maybe", b"", {"x-ms-continuation-token": "".join(
            c for c in weird_text(rng)[:50] if c.isascii() and c.isalnum()) or "-5"}),
        ("DELETE", f"instances?createdTimeFrom={quote(weird_text(rng) or 'x')}", b"", {}),
        ("DELETE", "instances", b"", {}),
        ("POST", f"instances/{waiting}/raiseEvent/approval_response",  # never valid JSON
         b"{" + weird_text(rng).encode("utf-8", "surrogatepass"), json_headers),
        ("POST", f"instances/{waiting}/raiseEvent/approval_response", b'{"approved": true}',
         {"content-type": "text/plain"}),
        ("POST", f"instances/{waiting}/rewind", b"", {}),
        ("POST", f"orchestrators/approval_workflow?timeout={quote(weird_text(rng) or 'x')}", b"{", json_headers),
    ])
    return BadRequest("management API with bad input", method, f"{MANAGEMENT}/{tail}", body, headers, SIGNED)


def any_bad_request(rng: random.Random, targets: Targets) -> BadRequest:
    return slack_request(rng, targets) if rng.random() < 0.6 else http_api_request(rng, targets)
