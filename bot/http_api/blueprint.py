"""The HTTP functions of the sample README's API, and the audit export.

All of them require a function key in Azure (AuthLevel.FUNCTION): starting a request notifies
people, approving decides money, cancelling withdraws a request, and the status shows amounts
and names. Pass the key as `?code=<key>` or the `x-functions-key` header. devhost asks for its host key only from
remote callers, so on one machine no key is needed (see devhost/README.md).
"""

import azure.durable_functions as df
import azure.functions as func

from bot.http_api.cancel import cancel_approval
from bot.http_api.decide import decide_approval
from bot.http_api.export import export_approvals
from bot.http_api.responses import ApiResponse
from bot.http_api.start import start_approval
from bot.http_api.status import approval_status
from bot.workflow.client import WorkflowClient
from bot.workflow.listing import Listing

http_api = df.Blueprint(http_auth_level=func.AuthLevel.FUNCTION)


def _http(response: ApiResponse) -> func.HttpResponse:
    return func.HttpResponse(
        body=response.body_text(),
        status_code=response.status,
        headers=response.headers,
        mimetype=response.media_type.split(";")[0],
        charset="utf-8",
    )


@http_api.route(route="human_interaction", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@http_api.durable_client_input(client_name="client")
async def start_approval_request(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Start an approval workflow; answers with its ids and management URLs."""
    response = await start_approval(
        WorkflowClient(client), req.get_body(), lambda instance_id: client.get_client_response_links(req, instance_id)
    )
    return _http(response)


@http_api.route(route="approve/{approvalId}", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@http_api.durable_client_input(client_name="client")
async def decide_approval_request(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Approve or deny a waiting request."""
    return _http(await decide_approval(WorkflowClient(client), req.route_params.get("approvalId", ""), req.get_body()))


@http_api.route(route="cancel/{approvalId}", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@http_api.durable_client_input(client_name="client")
async def cancel_approval_request(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """The requester withdraws a waiting request."""
    return _http(await cancel_approval(WorkflowClient(client), req.route_params.get("approvalId", ""), req.get_body()))


@http_api.route(route="status/{instanceId}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@http_api.durable_client_input(client_name="client")
async def get_approval_status(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Runtime status, custom status and output of a request."""
    return _http(await approval_status(WorkflowClient(client), req.route_params.get("instanceId", "")))


@http_api.route(route="approvals", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@http_api.durable_client_input(client_name="client")
async def export_approval_records(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Every request decided in a period, for audit (JSON or CSV, paged)."""
    return _http(await export_approvals(Listing(client), dict(req.params), req.url))
