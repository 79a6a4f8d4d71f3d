"""Every other path or method under /api/: a JSON 404 instead of an empty answer.

A catch-all route, so the answer is the same on Azure and on devhost: routes with literal
segments (every real function) are matched first, and this one takes what none of them took.
Anonymous, since it reveals nothing and does nothing.
"""

import json

import azure.functions as func

not_found = func.Blueprint(http_auth_level=func.AuthLevel.ANONYMOUS)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@not_found.route(route="{*path}", methods=METHODS, auth_level=func.AuthLevel.ANONYMOUS)
def api_not_found(req: func.HttpRequest) -> func.HttpResponse:
    """404 with a JSON message naming what was asked for."""
    path = "/api/" + req.route_params.get("path", "")
    body = {"error": f"no API function answers {req.method} {path[:200]}; see docs/http-api.md"}
    return func.HttpResponse(json.dumps(body), status_code=404, mimetype="application/json")
