"""`GET /api/approvals`: every request whose outcome was reached in a period, as JSON or CSV.

Paged: a page covers at most `limit` durable instances (oldest first), so it holds at most `limit`
rows and may hold fewer, even none, while more follow. The next page is named by `continuation`
(JSON: the `continuation` and `next` fields; CSV: the `X-Continuation-Token` header and a
`Link: <…>; rel="next"` header); the last page names none.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from bot.approvals import InvalidRequest
from bot.http_api.csv_text import csv_text
from bot.http_api.export_query import ExportQuery, parse_export_query
from bot.http_api.responses import ApiResponse, error
from bot.workflow.audit import FIELDS, audit_record, decided_at, outcome_status
from bot.workflow.backend import BackendUnavailable
from bot.workflow.listing import BadContinuation, InstanceFilter, Listing
from bot.workflow.state import ApprovalState

# A request reaches its outcome within its deadline (at most 6 days) of being created; instances
# created this long before `from` are searched too, generously.
CREATED_BEFORE_OUTCOME = timedelta(days=31)
CONTINUATION_HEADER = "X-Continuation-Token"


async def export_approvals(listing: Listing, params: dict[str, str], url: str,
                           now: datetime | None = None) -> ApiResponse:
    """200 with a page of rows; 400 naming the parameter for a bad query; 503 when the backend is down."""
    try:
        query = parse_export_query(params, now or datetime.now(UTC))
    except InvalidRequest as invalid:
        return error(400, f"{invalid.field} {invalid.message}", field=invalid.field)
    where = InstanceFilter(created_from=query.start - CREATED_BEFORE_OUTCOME, created_to=query.end)
    try:
        page = await listing.page(where, size=query.limit, continuation=query.continuation)
    except BadContinuation:
        return error(400, "continuation is not a continuation token from a previous page", field="continuation")
    except BackendUnavailable:
        return error(503, "the workflow engine is unavailable; try again")
    rows = [record for state in page.states if _wanted(state, query) and (record := audit_record(state))]
    following = _next_url(url, params, page.continuation) if page.continuation else None
    if query.format == "csv":
        headers = {"Content-Disposition": 'attachment; filename="approvals.csv"'}
        if page.continuation and following:
            headers.update({CONTINUATION_HEADER: page.continuation, "Link": f'<{following}>; rel="next"'})
        return ApiResponse(200, csv_text(FIELDS, rows), headers, media_type="text/csv; charset=utf-8")
    return ApiResponse(200, {"approvals": rows, "count": len(rows),
                             "continuation": page.continuation, "next": following})


def _wanted(state: ApprovalState, query: ExportQuery) -> bool:
    status = outcome_status(state)
    moment = decided_at(state)
    if status is None or moment is None or not query.start <= moment < query.end:
        return False
    return not query.statuses or status in query.statuses


def _next_url(url: str, params: dict[str, str], continuation: str) -> str:
    """This request's URL with the next page's token (and no key: callers add their own)."""
    kept = {name: value for name, value in params.items() if name not in ("continuation", "code")}
    return f"{url.split('?', 1)[0]}?{urlencode({**kept, 'continuation': continuation})}"
