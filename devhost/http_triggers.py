"""Invoke an HTTP-triggered function the way the Python worker does.

The request becomes a real `azure.functions.HttpRequest`; durable client parameters get the
binding JSON string; the returned HttpResponse goes back unchanged. Sync functions run in a
thread pool. An exception answers 500 with a generic body and its traceback goes to the log.
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from typing import Any

import azure.functions as func
from aiohttp import web

from .functions import HttpFunction
from .invocation import InvocationContext

log = logging.getLogger("devhost")


async def to_http_request(request: web.Request, route_params: dict[str, str]) -> func.HttpRequest:
    headers: dict[str, str] = {}
    for key, value in request.headers.items():
        k = key.lower()
        headers[k] = f"{headers[k]}, {value}" if k in headers else value
    return func.HttpRequest(
        method=request.method, url=str(request.url), headers=headers,
        params={k: v for k, v in request.query.items()}, route_params=route_params,
        body=await request.read())


def to_web_response(result: Any) -> web.Response:
    if isinstance(result, func.HttpResponse):
        headers = dict(result.headers.items())
        if not any(k.lower() == "content-type" for k in headers):
            mimetype = result.mimetype or "text/plain"
            headers["Content-Type"] = (f"{mimetype}; charset={result.charset}"
                                       if result.charset else mimetype)
        return web.Response(status=result.status_code, body=result.get_body(), headers=headers)
    if result is None:
        return web.Response(status=204)
    if isinstance(result, (bytes, str)):
        body = result if isinstance(result, bytes) else result.encode()
        return web.Response(status=200, body=body, content_type="text/plain")
    raise TypeError(f"an HTTP function returned {type(result).__name__}, not HttpResponse")


async def invoke_http(fn: HttpFunction, request: web.Request, route_params: dict[str, str],
                      client_binding: str, executor: Executor | None) -> web.Response:
    try:
        kwargs: dict[str, Any] = {fn.request_param: await to_http_request(request, route_params)}
        if fn.client_param:
            kwargs[fn.client_param] = client_binding
        if fn.wants_context:
            kwargs["context"] = InvocationContext(fn.name)
        began = time.perf_counter()
        if fn.is_async:
            result = await fn.call(**kwargs)
        else:
            result = await asyncio.get_running_loop().run_in_executor(
                executor, lambda: fn.call(**kwargs))
        response = to_web_response(result)
        log.info("Executed 'Functions.%s' (Succeeded, Status=%d, Duration=%.0fms)", fn.name,
                 response.status, (time.perf_counter() - began) * 1000)
        return response
    except Exception:
        log.exception("Executed 'Functions.%s' (Failed)", fn.name)
        return web.Response(status=500)
