"""The world the deployed functions run in: the synthesized stack's functions with their
environments resolved to stand-ins in moto, each function's process under the runtime API with its
execution role's credentials, the HTTP API in front, the provisioned orgs, and moto's outbox."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import time
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import boto3

from apigw import HttpApi
from mail import Outbox
from runtime_api import FunctionSpec, RuntimeApi
from standins import Account, StandIns
from template import (TEMPLATE_ACCOUNT, LambdaFunction, OriginHeader, Template, api_behaviours, http_routes,
                      lambda_functions, synthesize)

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra-cdk"
PORTFOLIO = ROOT / "config" / "portfolio.toml"
TABLE_SCHEMA = ROOT / "crates" / "store-dynamodb" / "table.json"
CHECKLISTS = ROOT / "crates" / "domain" / "templates"
APIGW_FIXTURE = ROOT / "crates" / "magic-link" / "tests" / "fixtures" / "apigw-v2-post-auth.json"
FUNCTIONS = ["api", "magic-link", "nudge", "report"]
ORG = "jada"
APP_DOMAIN = "app.test"
INIT_TIMEOUT_S = 60.0
T = TypeVar("T")


@functools.cache
def bin_dir() -> Path:
    """Where `cargo build` put the binaries: cargo's own answer, so CARGO_TARGET_DIR and cargo
    config are honoured as they were by the build. The debug profile unless LAMBDA_PROFILE names
    another (the cold-start bench runs the release binaries)."""
    done = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                          cwd=ROOT, capture_output=True, text=True)
    check(done.returncode == 0, f"cargo metadata failed: {done.stderr}")
    return Path(json.loads(done.stdout)["target_directory"]) / os.environ.get("LAMBDA_PROFILE", "debug")


# ---- reporting ---------------------------------------------------------------------------------

class Steps:
    """Named steps with timings, printed as they pass and summed up at the end."""

    def __init__(self) -> None:
        self.done: list[tuple[str, float]] = []
        self.started = time.monotonic()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        print(f"deployed-e2e: {name} ...", flush=True)
        t0 = time.monotonic()
        yield
        self.done.append((name, time.monotonic() - t0))
        print(f"deployed-e2e: ok  {name} ({self.done[-1][1]:.1f} s)", flush=True)

    def summary(self, notes: list[str]) -> str:
        lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in self.done]
        lines += [f"           {note}" for note in notes]
        total = time.monotonic() - self.started
        return "deployed-e2e: PASSED, every step\n" + "\n".join(lines) + f"\n  {total:6.1f} s  total"


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def present(value: T | None, message: str) -> T:
    """`value`, which must be there (a `check` that also tells the type checker)."""
    if value is None:
        raise AssertionError(message)
    return value


def parse_time(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(timezone.utc)


# ---- the environment around the functions ------------------------------------------------------

def moto_environment() -> dict[str, str]:
    """The AWS variables every process gets: moto's endpoint, no shared config, no instance
    metadata. Credentials come from `role_credentials`, never from the caller's environment."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    check(endpoint.startswith(("http://127.0.0.1:", "http://localhost:")),
          f"AWS_ENDPOINT_URL must be a local moto server (run under tests/with-moto.sh), not {endpoint!r}")
    region = os.environ.get("AWS_REGION", "us-west-2")
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


def role_credentials(role_arn: str, session_name: str) -> dict[str, str]:
    """Temporary credentials for a role, from moto's STS, as Lambda hands a function its execution
    role's: the caller is then in the role's account (the template's), so every ARN moto makes
    matches the ARNs the template's policies name."""
    sts = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                region_name=moto_environment()["AWS_REGION"]).client("sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name[:64])["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def session_of(credentials: dict[str, str]) -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=credentials["AWS_SESSION_TOKEN"],
        region_name=moto_environment()["AWS_REGION"],
    )


@dataclass
class World:
    """Everything the scenario needs: the template, stand-ins, running functions and the outbox."""

    template: Template
    functions: dict[str, LambdaFunction]
    standins: StandIns
    env: dict[str, dict[str, str]]  # resolved environment per function
    runtime: RuntimeApi
    http: HttpApi
    outbox: Outbox
    aws: boto3.session.Session
    credentials: dict[str, str]  # the test's (and the operator's), in the template's account
    portfolio: dict[str, Any]
    identities: list[str]  # the template's SES identities (addresses or domains)

    def var(self, function: str, name: str) -> str:
        check(name in self.env[function], f"{function}: the template sets no {name}")
        return self.env[function][name]


def resolve_environments(functions: dict[str, LambdaFunction], standins: StandIns) -> dict[str, dict[str, str]]:
    return {
        name: {k: standins.resolve(v, f"{name} env {k}") for k, v in fn.environment.items()}
        for name, fn in functions.items()
    }


def check_sender_identities(standins: StandIns, env: dict[str, dict[str, str]]) -> list[str]:
    """Creates the template's SES identities in moto and checks that each sender is one of them."""
    identities = [standins.attribute(k, "Ref", "SES identity") for k in standins.template.of_type("AWS::SES::EmailIdentity")]
    for name, variables in env.items():
        sender = variables.get("SES_SENDER_ADDRESS")
        if sender is not None:
            check(sender in identities or sender.split("@")[-1] in identities,
                  f"{name}: SES_SENDER_ADDRESS {sender} is in no SES identity of the template ({identities})")
    return identities


def start_functions(runtime: RuntimeApi, functions: dict[str, LambdaFunction], env: dict[str, dict[str, str]],
                    standins: StandIns) -> dict[str, float]:
    """Spawns the four binaries at once, each with its execution role's credentials, then waits
    for each to poll; returns init seconds each."""
    account = standins.account
    for name, fn in functions.items():
        role = standins.resolve(standins.template.properties(fn.logical_id)["Role"], f"{name} Role")
        runtime.start(FunctionSpec(
            name=name, executable=bin_dir() / name, function_name=fn.function_name,
            env=env[name] | moto_environment() | role_credentials(role, fn.function_name),
            memory_mb=fn.memory_mb, timeout_s=fn.timeout_s, region=account.region, account=account.id,
        ))
    return {name: runtime.wait_ready(name, INIT_TIMEOUT_S) for name in functions}


def header_value(header: OriginHeader, standins: StandIns, secrets: Any, where: str) -> str:
    """What CloudFront sends in `header`: its literal, or the secret's JSON member it refers to,
    read from the secret's stand-in in moto (made from the template's GenerateSecretString, as
    CloudFormation makes it)."""
    if header.literal is not None:
        return header.literal
    ref = present(header.secret, f"{where}: neither a literal nor a secret")
    arn = standins.attribute(ref.secret_logical_id, "Ref", where)
    asked: dict[str, str] = {"SecretId": arn}
    if ref.version_id:
        asked["VersionId"] = ref.version_id
    if ref.version_stage:
        asked["VersionStage"] = ref.version_stage
    raw = secrets.get_secret_value(**asked)["SecretString"]
    if not ref.json_key:
        return raw
    value = json.loads(raw).get(ref.json_key)
    check(isinstance(value, str) and value != "", f"{where}: secret {ref.secret_logical_id} has no {ref.json_key!r} string")
    return value


def cloudfront_headers(template: Template, standins: StandIns, secrets: Any) -> dict[str, dict[str, str]]:
    """Per CloudFront path pattern to the HTTP API, the headers its origin adds, with their values."""
    behaviours = api_behaviours(template)
    check(bool(behaviours), "no CloudFront behaviour routes to the HTTP API")
    return {
        b.path_pattern: {h.name.lower(): header_value(h, standins, secrets, f"behaviour {b.path_pattern} header {h.name}")
                         for h in b.headers}
        for b in behaviours
    }


# ---- provisioning ------------------------------------------------------------------------------

def operator(credentials: dict[str, str], *args: str) -> str:
    command = [str(bin_dir() / "operator"), *args]
    env = {"PATH": os.environ.get("PATH", "")} | moto_environment() | credentials
    done = subprocess.run(command, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    check(done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done.stdout


def provision(credentials: dict[str, str], table: str) -> None:
    target = ["--file", str(PORTFOLIO), "--table", table]
    first = operator(credentials, "apply", *target)
    check("Applied" in first, f"operator apply changed nothing on an empty table:\n{first}")
    for again in (operator(credentials, "apply", *target), operator(credentials, "plan", *target)):
        check("No changes" in again and "Applied" not in again,
              f"a second operator run after apply wants changes:\n{again}")


def first_admin(portfolio: dict[str, Any], org_id: str) -> dict[str, Any]:
    org = org_of(portfolio, org_id)
    admins = [m for m in org.get("member", []) if m["role"] == "admin"]
    check(bool(admins), f"{PORTFOLIO}: org {org_id} has no admin")
    return admins[0]


def org_of(portfolio: dict[str, Any], org_id: str) -> dict[str, Any]:
    orgs = [o for o in portfolio["org"] if o["id"] == org_id]
    check(len(orgs) == 1, f"{PORTFOLIO}: expected one org {org_id}")
    return orgs[0]


def check_tools() -> None:
    missing = [str(bin_dir() / n) for n in [*FUNCTIONS, "operator"] if not os.access(bin_dir() / n, os.X_OK)]
    check(not missing, f"missing binaries (cargo build -p api -p magic-link -p nudge -p report -p operator): {missing}")
    check((INFRA / "node_modules").is_dir(), "infra-cdk/node_modules is missing (cd infra-cdk && npm ci)")


def build_world(steps: Steps, tmp: Path, runtime: RuntimeApi, notes: list[str]) -> World:
    region = moto_environment()["AWS_REGION"]
    credentials = role_credentials(f"arn:aws:iam::{TEMPLATE_ACCOUNT}:role/shipcaptaincrew-deployed-e2e", "deployed-e2e")
    aws = session_of(credentials)
    account = Account(aws.client("sts").get_caller_identity()["Account"], region, uuid.uuid4().hex[:8])
    with steps.step("synthesize the dev stack"):
        template = synthesize(INFRA, tmp / "cdk.out")
    with steps.step("make the stand-ins the functions' environments point at"):
        functions = lambda_functions(template, INFRA / "test" / "fixtures" / "lambda", FUNCTIONS)
        standins = StandIns(template, aws.client, account, TABLE_SCHEMA, APP_DOMAIN)
        env = resolve_environments(functions, standins)
        identities = check_sender_identities(standins, env)
        check(len({e["DYNAMODB_TABLE"] for e in env.values()}) == 1, "the functions do not share one table")
    with steps.step("start the four binaries under the runtime API"):
        init = start_functions(runtime, functions, env, standins)
        notes.append("init (spawn to first /next): " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in init.items()))
    routes = http_routes(template)
    function_of = {fn.logical_id: name for name, fn in functions.items()}
    added = cloudfront_headers(template, standins, aws.client("secretsmanager"))
    notes.append("CloudFront adds, per behaviour: " + "; ".join(f"{p} {sorted(h)}" for p, h in added.items()))
    http = HttpApi(routes, function_of, runtime, APIGW_FIXTURE, added)
    portfolio = tomllib.loads(PORTFOLIO.read_text())
    return World(template, functions, standins, env, runtime, http, Outbox(os.environ["AWS_ENDPOINT_URL"]), aws, credentials, portfolio,
                 identities)
