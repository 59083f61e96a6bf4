"""The synthesized CDK stack, read as CloudFormation: which function runs which binary, with which
environment, behind which HTTP route, with which headers CloudFront adds, triggered by which
schedule. Nothing here repeats a value
the stack sets; it is all read from the template."""

from __future__ import annotations

import filecmp
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# As infra-cdk/scripts/check.sh: placeholders, and no credentials or metadata to look up.
SYNTH_ENV = {
    "CDK_DEFAULT_ACCOUNT": "111111111111",
    "CDK_DEFAULT_REGION": "us-west-2",
    "AWS_REGION": "us-west-2",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "CDK_VALIDATION": "false",
}
# The account the template is synthesized for: the stand-ins live in it too.
TEMPLATE_ACCOUNT = SYNTH_ENV["CDK_DEFAULT_ACCOUNT"]
_DROPPED_FROM_SYNTH_ENV = ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


class TemplateError(Exception):
    """The template does not have the shape this test expects."""


@dataclass(frozen=True)
class Template:
    resources: dict[str, dict[str, Any]]
    out_dir: Path

    def resource(self, logical_id: str) -> dict[str, Any]:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise TemplateError(f"the template has no resource {logical_id}") from None

    def type_of(self, logical_id: str) -> str:
        return self.resource(logical_id)["Type"]

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resource(logical_id).get("Properties", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: r.get("Properties", {}) for k, r in self.resources.items() if r["Type"] == resource_type}

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.of_type(resource_type)
        if len(found) != 1:
            raise TemplateError(f"expected exactly one {resource_type}, found {sorted(found)}")
        return next(iter(found.items()))


@dataclass(frozen=True)
class LambdaFunction:
    """One of our functions as the template declares it (environment values unresolved)."""

    name: str
    logical_id: str
    function_name: str
    environment: dict[str, Any]
    memory_mb: int
    timeout_s: int


@dataclass(frozen=True)
class HttpRoute:
    """An HTTP API route such as `ANY /api/{proxy+}` and the function its integration invokes."""

    route_key: str
    method: str
    prefix: str
    function_logical_id: str
    payload_format: str

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("ANY", method) and path.startswith(self.prefix)


def synthesize(infra_dir: Path, out_dir: Path, stage: str = "dev") -> Template:
    """`cdk synth` of one stage, offline, with the fixture assets check.sh uses; the template read."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_FROM_SYNTH_ENV} | SYNTH_ENV
    command = [
        "npx", "cdk", "synth", "-q", "-c", f"stage={stage}",
        "-c", "lambdaAssetDir=test/fixtures/lambda", "-c", "frontendDist=test/fixtures/frontend",
        "-o", str(out_dir),
    ]
    done = subprocess.run(command, cwd=infra_dir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise TemplateError(f"cdk synth failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    templates = sorted(out_dir.glob(f"*-{stage}.template.json"))
    if len(templates) != 1:
        raise TemplateError(f"expected one *-{stage}.template.json in {out_dir}, found {templates}")
    return Template(json.loads(templates[0].read_text())["Resources"], out_dir)


def _same_tree(a: Path, b: Path) -> bool:
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only or compared.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in compared.common_dirs)


def lambda_functions(template: Template, fixture_dir: Path, names: list[str]) -> dict[str, LambdaFunction]:
    """Our functions, each found by its code asset: the function whose asset is a copy of
    `<fixture_dir>/<name>` is the one that runs `<name>` when deployed. Other functions (CDK's
    own, such as the bucket deployment) match no fixture and are left out."""
    found: dict[str, LambdaFunction] = {}
    for logical_id, resource in template.resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        asset = resource.get("Metadata", {}).get("aws:asset:path")
        if asset is None:
            continue
        for name in names:
            if not _same_tree(template.out_dir / asset, fixture_dir / name):
                continue
            if name in found:
                raise TemplateError(f"two functions deploy the {name} asset: {found[name].logical_id}, {logical_id}")
            props = resource["Properties"]
            found[name] = LambdaFunction(
                name=name,
                logical_id=logical_id,
                function_name=props["FunctionName"],
                environment=props.get("Environment", {}).get("Variables", {}),
                memory_mb=int(props.get("MemorySize", 128)),
                timeout_s=int(props.get("Timeout", 3)),
            )
    missing = sorted(set(names) - set(found))
    if missing:
        raise TemplateError(f"no function in the template deploys the asset of {missing}")
    return found


def _ref_inside(value: Any) -> str | None:
    """The logical id a `Ref` names somewhere inside `value` (e.g. a route's `integrations/<Ref>`)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        return next((r for v in value.values() if (r := _ref_inside(v))), None)
    if isinstance(value, list):
        return next((r for v in value if (r := _ref_inside(v))), None)
    return None


def http_routes(template: Template) -> list[HttpRoute]:
    """The HTTP API's routes, each with the function its Lambda proxy integration invokes."""
    routes = []
    for route_id, props in template.of_type("AWS::ApiGatewayV2::Route").items():
        integration_id = _ref_inside(props.get("Target"))
        if integration_id is None or template.type_of(integration_id) != "AWS::ApiGatewayV2::Integration":
            raise TemplateError(f"route {route_id} targets no integration: {props.get('Target')}")
        integration = template.properties(integration_id)
        uri = integration.get("IntegrationUri", {})
        function_id = uri.get("Fn::GetAtt", [None])[0] if isinstance(uri, dict) else None
        if integration.get("IntegrationType") != "AWS_PROXY" or function_id is None:
            raise TemplateError(f"route {route_id}: not a Lambda proxy integration: {integration}")
        method, path = props["RouteKey"].split(" ", 1)
        if not path.endswith("/{proxy+}"):
            raise TemplateError(f"route {route_id}: only greedy {{proxy+}} routes are handled: {path}")
        routes.append(HttpRoute(props["RouteKey"], method, path.removesuffix("{proxy+}"), function_id,
                                str(integration.get("PayloadFormatVersion", "1.0"))))
    return routes


@dataclass(frozen=True)
class SecretReference:
    """A CloudFormation dynamic reference `{{resolve:secretsmanager:<secret>:SecretString:<key>:<stage>:<version>}}`."""

    secret_logical_id: str
    json_key: str
    version_stage: str
    version_id: str


@dataclass(frozen=True)
class OriginHeader:
    """A header CloudFront adds to the requests of a behaviour: a literal, or a secret's value."""

    name: str
    literal: str | None
    secret: SecretReference | None


@dataclass(frozen=True)
class ApiBehaviour:
    """A CloudFront behaviour (path pattern) whose origin is the HTTP API, with its origin's headers."""

    path_pattern: str
    headers: tuple[OriginHeader, ...]


_DYNAMIC_SECRET_TAIL = re.compile(r"^:SecretString:([^:]*):([^:]*):([^:}]*)\}\}$")


def _secret_reference(value: Any, where: str) -> SecretReference:
    """The dynamic reference CDK writes for `SecretValue.secretsManager(<secret>.secretArn, ...)`:
    `Fn::Join` of the prefix, a `Ref` to the secret and the `:SecretString:...}}` tail."""
    parts = value.get("Fn::Join", [None, []])[1] if isinstance(value, dict) else []
    if (len(parts) == 3 and parts[0] == "{{resolve:secretsmanager:" and isinstance(parts[1], dict)
            and "Ref" in parts[1] and isinstance(parts[2], str) and (tail := _DYNAMIC_SECRET_TAIL.match(parts[2]))):
        return SecretReference(parts[1]["Ref"], *tail.groups())
    raise TemplateError(f"{where}: not a literal or a Secrets Manager dynamic reference: {json.dumps(value)}")


def api_behaviours(template: Template) -> list[ApiBehaviour]:
    """The distribution's behaviours whose origin is the HTTP API (an execute-api domain)."""
    _, props = template.only("AWS::CloudFront::Distribution")
    config = props["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    found = []
    for behaviour in [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]:
        origin = origins[behaviour["TargetOriginId"]]
        if ".execute-api." not in json.dumps(origin["DomainName"]):
            continue
        pattern = behaviour.get("PathPattern", "*")
        headers = tuple(
            OriginHeader(h["HeaderName"], h["HeaderValue"], None) if isinstance(h["HeaderValue"], str)
            else OriginHeader(h["HeaderName"], None, _secret_reference(h["HeaderValue"], f"behaviour {pattern} header {h['HeaderName']}"))
            for h in origin.get("OriginCustomHeaders", [])
        )
        found.append(ApiBehaviour(pattern, headers))
    return found
