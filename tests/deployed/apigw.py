"""The HTTP API in front of the functions: a request becomes an API Gateway HTTP API event
(payload format 2.0), goes to the function the template's route names, and its proxy response
comes back. The event's shape is the repo's recorded fixture, with the request's fields set.

A request comes through CloudFront unless it says otherwise: it then carries the headers the
template's CloudFront behaviour for its path adds (the origin secret); a direct call to the
execute-api URL carries none of them."""

from __future__ import annotations

import base64
import copy
import fnmatch
import json
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime_api import RuntimeApi
from template import HttpRoute

VIEWER = "203.0.113.9"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def describe(self) -> str:
        return f"{self.status} {self.body.decode(errors='replace')[:500]}"


def _headers(token: str | None, content_type: str | None, host: str) -> dict[str, str]:
    headers = {
        "accept": "application/json",
        "host": host,
        "user-agent": "shipcaptaincrew-deployed-e2e",
        "x-forwarded-for": f"{VIEWER}, 130.176.0.1",
        "x-forwarded-proto": "https",
        # Added by CloudFront (AllViewerExceptHostHeader policy); magic-link reads the viewer from it.
        # On a direct call it is the caller's own (forged) header, which the functions must ignore.
        "cloudfront-viewer-address": f"{VIEWER}:50123",
    }
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    if content_type is not None:
        headers["content-type"] = content_type
    return headers


class HttpApi:
    def __init__(self, routes: list[HttpRoute], function_of: dict[str, str], runtime: RuntimeApi, fixture: Path,
                 cloudfront_headers: dict[str, dict[str, str]]):
        """`function_of` maps a route's function logical id to the name it runs under `runtime`;
        `cloudfront_headers` maps a CloudFront path pattern to the headers its origin adds."""
        self.routes = routes
        self.function_of = function_of
        self.runtime = runtime
        self.base_event = json.loads(fixture.read_text())
        self.cloudfront_headers = cloudfront_headers

    def added_by_cloudfront(self, path: str) -> dict[str, str]:
        """The headers CloudFront's behaviour for `path` adds (its patterns' `*` spans slashes,
        as fnmatch's does)."""
        raw_path = path.partition("?")[0]
        matching = [h for pattern, h in self.cloudfront_headers.items() if fnmatch.fnmatchcase(raw_path, pattern)]
        if len(matching) != 1:
            raise AssertionError(f"{path}: expected one CloudFront behaviour to the HTTP API, found {len(matching)}")
        return matching[0]

    def route(self, method: str, path: str) -> HttpRoute:
        matching = [r for r in self.routes if r.matches(method, path)]
        if len(matching) != 1:
            raise AssertionError(f"{method} {path}: expected one route in the template, found {[r.route_key for r in matching]}")
        route = matching[0]
        if route.payload_format != "2.0":
            raise AssertionError(f"{route.route_key}: payload format {route.payload_format}, the functions read 2.0")
        return route

    def event(self, route: HttpRoute, method: str, path: str, body: bytes | None,
              token: str | None, content_type: str | None, via_cloudfront: bool = True) -> dict[str, Any]:
        raw_path, _, query = path.partition("?")
        event = copy.deepcopy(self.base_event)
        host = event["requestContext"]["domainName"]
        now = time.time()
        event.update({
            "routeKey": route.route_key,
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": _headers(token, content_type, host)
            | ({"content-length": str(len(body))} if body else {})
            | (self.added_by_cloudfront(path) if via_cloudfront else {}),
            "pathParameters": {"proxy": raw_path.removeprefix(route.prefix)},
            "isBase64Encoded": body is not None,
        })
        event.pop("body", None)
        if body is not None:
            event["body"] = base64.b64encode(body).decode()
        if query:
            event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
        else:
            event.pop("queryStringParameters", None)
        event["requestContext"].update({
            "routeKey": route.route_key,
            "requestId": f"e2e{int(now * 1000)}",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        })
        event["requestContext"]["http"].update({"method": method, "path": raw_path, "sourceIp": "130.176.0.1"})
        return event

    def request(self, method: str, path: str, json_body: Any = None, token: str | None = None,
                form: str | None = None, via_cloudfront: bool = True) -> HttpResponse:
        """The request through CloudFront, or (`via_cloudfront=False`) straight to the execute-api URL."""
        route = self.route(method, path)
        body, content_type = None, None
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            body, content_type = form.encode(), "application/x-www-form-urlencoded"
        event = self.event(route, method, path, body, token, content_type, via_cloudfront)
        out = self.runtime.invoke(self.function_of[route.function_logical_id], event)
        raw = out.get("body") or ""
        data = base64.b64decode(raw) if out.get("isBase64Encoded") else raw.encode()
        headers = {k.lower(): v for k, v in (out.get("headers") or {}).items()}
        return HttpResponse(int(out["statusCode"]), headers, data)
