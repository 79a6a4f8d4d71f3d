"""`POST /api/human_interaction`: validate the body, then start one approval workflow."""

from __future__ import annotations

import logging
from typing import Callable

from azure.durable_functions import DurableOrchestrationClient

from bot.approvals import ORCHESTRATOR_NAME, InvalidRequest, approval_id_for
from bot.http_api.responses import ApiResponse, error
from bot.http_api.start_body import parse_start_body

log = logging.getLogger(__name__)


async def start_approval(
    client: DurableOrchestrationClient,
    body: bytes,
    management_links: Callable[[str], dict[str, str]],
) -> ApiResponse:
    """202 with the README's management payload plus approvalId; 400 (nothing started) for bad input."""
    try:
        request = parse_start_body(body)
    except InvalidRequest as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    try:
        instance_id = await client.start_new(ORCHESTRATOR_NAME, None, request.to_input())
    except Exception as exc:  # the SDK raises bare Exceptions for unexpected answers
        log.warning("starting %s failed: %s", ORCHESTRATOR_NAME, exc)
        return error(503, "the workflow engine is unavailable; try again")
    links = management_links(instance_id)
    payload = {"id": instance_id, "approvalId": approval_id_for(instance_id)}
    payload.update({key: value for key, value in links.items() if key != "id"})
    headers = {"Location": links["statusQueryGetUri"], "Retry-After": "10"}
    log.info("started %s for %s", payload["approvalId"], request.requester)
    return ApiResponse(202, payload, headers)
