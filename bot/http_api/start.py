"""`POST /api/human_interaction`: validate the body, then start one approval workflow."""

from __future__ import annotations

from collections.abc import Callable

from bot.approvals import InvalidRequest
from bot.config import ConfigError
from bot.front_ends import configured_front_ends
from bot.http_api.responses import ApiResponse, error
from bot.http_api.start_body import parse_start_body
from bot.workflow.backend import BackendUnavailable
from bot.workflow.client import WorkflowClient


async def start_approval(
    workflow: WorkflowClient,
    body: bytes,
    management_links: Callable[[str], dict[str, str]],
) -> ApiResponse:
    """202 with the README's management payload plus approvalId; 400 (nothing started) for bad input.
    A request from the HTTP API is posted on every configured chat front end."""
    try:
        front_ends = configured_front_ends()
    except ConfigError as problem:
        return error(503, f"the app is misconfigured: {problem}")
    try:
        request = parse_start_body(body, front_ends)
    except InvalidRequest as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    try:
        started = await workflow.start(request)
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")
    links = management_links(started.instance_id)
    payload = {"id": started.instance_id, "approvalId": started.approval_id}
    payload.update({key: value for key, value in links.items() if key != "id"})
    headers = {"Location": links["statusQueryGetUri"], "Retry-After": "10"}
    return ApiResponse(202, payload, headers)
