"""Cold starts of the four Lambdas, as ratios to the smallest lambda_runtime function.

Run by `make bench` (under tests/with-moto.sh, after a release build). It sets up the world the
deployed e2e uses (tests/deployed/: the synthesized dev stack's functions, their environments
resolved to stand-ins in moto, the portfolio provisioned, a signed-in admin and an event), then
spawns each release binary RUNS times under the loopback Runtime API, with the environment and
credentials it has in AWS, and measures per process:

  init    spawn to its first GET /runtime/invocation/next
  first   the first invocation's round trip (a cold process: its first connections to moto)
  warm    the second invocation's round trip on the same process

The invocations: api reads the event as its admin (an API Gateway v2 event through the CloudFront
headers), magic-link answers a sign-in request for an address nobody has (202, no mail), nudge
gets a schedule's input for an event that no longer exists (one read, then ignored), report and the
bare function get `{}` (report's weekly run; its mails are claimed once, so later runs only skip).
Sizes are this machine's release binaries and their `zip -9`. Figures, not assertions: nothing
here fails on a slow machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "deployed"))
os.environ.setdefault("LAMBDA_PROFILE", "release")

import world as w  # noqa: E402  (after the path and profile are set)
from run import create_event, event_kind, sign_in  # noqa: E402
from runtime_api import FunctionSpec, RuntimeApi  # noqa: E402

RUNS = int(os.environ.get("COLDSTART_RUNS", "15"))
BARE = "bare-lambda"


def zipped_size(binary: Path, tmp: Path) -> int:
    target = tmp / f"{binary.name}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(binary, "bootstrap")
    return target.stat().st_size


def cert_store() -> dict[str, str]:
    """Where the TLS roots are, as the Lambda image has them. On provided.al2023 the probe of
    rustls-native-certs finds one bundle (/etc/pki/tls/certs holds only ca-bundle files); on a
    Debian machine it also reads /etc/ssl/certs, about 290 files parsed on top of the bundle, which
    cost each function 2 to 3 ms of init here that it does not pay in AWS. Pointing SSL_CERT_FILE at
    this machine's bundle measures what Lambda runs. COLDSTART_CERT_DIRS=1 keeps the scan."""
    if os.environ.get("COLDSTART_CERT_DIRS") == "1":
        return {}
    for bundle in ("/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"):
        if Path(bundle).is_file():
            return {"SSL_CERT_FILE": bundle}
    return {}


def spec_like(world: w.World, name: str, instance: str) -> FunctionSpec:
    """A fresh process of `name` with what Lambda gives it: the template's environment, its role's
    credentials, its memory and timeout. The bare function borrows nudge's configuration."""
    base = "nudge" if name == BARE else name
    fn = world.functions[base]
    account = world.standins.account
    role = world.standins.resolve(world.template.properties(fn.logical_id)["Role"], f"{base} Role")
    env = (world.env[base] if name != BARE else {}) | cert_store() | w.moto_environment() | w.role_credentials(role, fn.function_name)
    return FunctionSpec(name=instance, executable=w.bin_dir() / name, function_name=f"{fn.function_name}-{instance}",
                        env=env, memory_mb=fn.memory_mb, timeout_s=fn.timeout_s, region=account.region,
                        account=account.id)


def payloads(world: w.World, token: str, event_id: str) -> dict[str, Callable[[], Any]]:
    http = world.http

    def api_read() -> Any:
        path = f"/api/events/{event_id}"
        return http.event(http.route("GET", path), "GET", path, None, token, None)

    def signin_request() -> Any:
        body = f'{{"email":"nobody-{uuid.uuid4().hex[:10]}@example.com"}}'.encode()
        event = http.event(http.route("POST", "/auth/magic-link"), "POST", "/auth/magic-link", body, None,
                           "application/json")
        # A viewer of its own per request, so the per-IP sign-in limit never answers instead.
        viewer = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        event["headers"]["cloudfront-viewer-address"] = f"{viewer}:50123"
        return event

    def gone_event() -> Any:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return {"org_id": w.ORG, "event_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "kind": "departure",
                "anchor_at": now, "fire_at": now}

    return {"api": api_read, "magic-link": signin_request, "nudge": gone_event,
            "report": lambda: {}, BARE: lambda: {}}


def expect_ok(name: str, answer: Any) -> None:
    if name in ("api", "magic-link"):
        status = int(answer.get("statusCode", 0))
        wanted = 200 if name == "api" else 202
        w.check(status == wanted, f"{name} answered {status}, not {wanted}: {answer.get('body')}")


def measure(runtime: RuntimeApi, world: w.World, name: str, payload: Callable[[], Any]) -> dict[str, list[float]]:
    got: dict[str, list[float]] = {"init": [], "first": [], "warm": []}
    for i in range(RUNS):
        instance = f"{name}-cold-{i}"
        runtime.start(spec_like(world, name, instance))
        got["init"].append(runtime.wait_ready(instance, w.INIT_TIMEOUT_S))
        for phase in ("first", "warm"):
            body = payload()
            started = time.monotonic()
            answer = runtime.invoke(instance, body)
            got[phase].append(time.monotonic() - started)
            expect_ok(name, answer)
        runtime.functions.pop(instance).stop()
    return got


def ms(values: list[float], how: Callable[[list[float]], float]) -> float:
    return how(values) * 1000


def main() -> int:
    names = [BARE, *w.FUNCTIONS]
    missing = [n for n in names if not os.access(w.bin_dir() / n, os.X_OK)]
    w.check(not missing, f"missing release binaries in {w.bin_dir()}: {missing} (make bench builds them)")
    steps, notes = w.Steps(), list[str]()
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp_name, RuntimeApi(Path(tmp_name)) as runtime:
        tmp = Path(tmp_name)
        world = w.build_world(steps, tmp, runtime, notes)
        w.provision(world.credentials, world.var("api", "DYNAMODB_TABLE"))
        admin = w.first_admin(world.portfolio, w.ORG)["email"]
        token = sign_in(world, admin)
        kind, _ = event_kind(world.portfolio)
        event = create_event(world, token, admin, kind)
        make = payloads(world, token, event.id)
        figures = {}
        for name in names:
            print(f"coldstart: {name} x{RUNS} ...", file=sys.stderr, flush=True)
            figures[name] = measure(runtime, world, name, make[name])
        sizes = {n: ((w.bin_dir() / n).stat().st_size, zipped_size(w.bin_dir() / n, tmp)) for n in names}
    bare_init = ms(figures[BARE]["init"], statistics.median)
    print(f"\nCold starts, {RUNS} processes each, release binaries of this machine "
          f"({os.uname().machine}, {os.cpu_count()} cores), moto on loopback; times in ms.")
    header = (f"{'function':<12} {'binary MB':>9} {'zip MB':>7} {'init p50':>8} {'init min':>8} {'init/bare':>9} "
              f"{'first p50':>9} {'first min':>9} {'warm p50':>8} {'first/warm':>10}")
    print(header)
    print("-" * len(header))
    for name in names:
        f = figures[name]
        binary, zipped = sizes[name]
        init = ms(f["init"], statistics.median)
        first, warm = ms(f["first"], statistics.median), ms(f["warm"], statistics.median)
        print(f"{name:<12} {binary / 1048576:>9.2f} {zipped / 1048576:>7.2f} {init:>8.1f} "
              f"{ms(f['init'], min):>8.1f} {init / bare_init:>8.2f}x {first:>9.1f} {ms(f['first'], min):>9.1f} "
              f"{warm:>8.1f} {first / warm:>9.2f}x")
    print("\nGoals (issue 14): every zip <= 2 MB; init <= 2x bare; api first <= 3x warm.")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, subprocess.CalledProcessError) as e:
        print(f"coldstart: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
