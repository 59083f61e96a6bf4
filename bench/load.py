"""The warm path under load: the local server (release build, embedded store, the demo world)
driven by wrk for 20 s at 32 connections, once reading an event as a signed-in admin and once
ticking one of its tasks (a fresh op id per request, so every tick is a real write).

Run by `make bench` after `cargo build --release -p local`; prints requests per second and the
latency percentiles wrk measured. Figures, not assertions. Installs wrk from Debian's packages
when it is missing (the machine's own package manager; nothing else is downloaded).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("LOAD_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "32"))


def target_dir() -> Path:
    done = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return Path(json.loads(done.stdout)["target_directory"])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("load: installing wrk (apt)", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
        return json.loads(raw) if raw else None


def sign_in(base: str, email: str) -> str:
    seen = {m["id"] for m in call(base, "GET", "/dev/outbox.json")}
    call(base, "POST", "/auth/magic-link", {"email": email})
    for _ in range(50):
        mail = next((m for m in call(base, "GET", "/dev/outbox.json") if m["to"] == email and m["id"] not in seen), None)
        if mail:
            link = re.search(r"/signin#token=([^\s\"'<>&]+)", mail["text"])
            if not link:
                raise AssertionError(f"no sign-in link in the mail to {email}")
            grant = call(base, "POST", "/auth/exchange", {"token": urllib.parse.unquote(link.group(1))})
            return grant["token"]
        time.sleep(0.1)
    raise AssertionError(f"no sign-in mail to {email}")


def wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise AssertionError(f"the local server exited ({server.returncode})")
        try:
            call(base, "GET", "/dev/outbox.json")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the local server did not answer")


TICK_SCRIPT = """
local counter = 0
local token, path, at = "{token}", "{path}", "{at}"
local prefix = string.format("bench-%d-", math.random(100000000))
request = function()
  counter = counter + 1
  local body = string.format('{{"done":%s,"op_id":"%s%09d","at":"%s"}}',
    (counter % 2 == 0) and "true" or "false", prefix, counter, at)
  return wrk.format("PUT", path, {{["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json"}}, body)
end
"""

READ_SCRIPT = """
request = function()
  return wrk.format("GET", "{path}", {{["Authorization"] = "Bearer {token}"}})
end
"""


def run_wrk(wrk: str, base: str, script: str, tmp: Path, name: str) -> dict[str, str]:
    lua = tmp / f"{name}.lua"
    lua.write_text(script)
    out = subprocess.run([wrk, "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", str(lua), base],
                         capture_output=True, text=True, check=True).stdout
    figures = {"req/s": re.search(r"Requests/sec:\s+([\d.]+)", out), "p50": re.search(r"\s50%\s+(\S+)", out),
               "p99": re.search(r"\s99%\s+(\S+)", out), "non-2xx": re.search(r"Non-2xx or 3xx responses: (\d+)", out),
               "requests": re.search(r"(\d+) requests in", out)}
    return {k: (m.group(1) if m else ("0" if k == "non-2xx" else "?")) for k, m in figures.items()}


def main() -> int:
    wrk = ensure_wrk()
    binary = target_dir() / "release" / "local"
    if not os.access(binary, os.X_OK):
        raise AssertionError(f"no release build at {binary} (make bench builds it)")
    portfolio = tomllib.loads((ROOT / "config" / "portfolio.toml").read_text())
    org = portfolio["org"][0]
    admin = next(m["email"] for m in org["member"] if m["role"] == "admin")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="load-") as tmp_name:
        tmp = Path(tmp_name)
        log = open(tmp / "server.log", "wb")
        server = subprocess.Popen([str(binary), "--port", str(port), "--data", str(tmp / "data"),
                                   "--static", str(ROOT / "frontend" / "dist")], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  env=os.environ | {"RUST_LOG": "warn"})
        try:
            wait_up(base, server)
            token = sign_in(base, admin)
            events = call(base, "GET", "/api/events", token=token)
            items = events["events"]
            event = call(base, "GET", f"/api/events/{items[0]['id']}", token=token)
            task = event["checklist"]["phases"][0]["tasks"][0]["id"]
            at = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            path = f"/api/events/{event['id']}"
            results = {
                "event read": run_wrk(wrk, base, READ_SCRIPT.format(path=path, token=token), tmp, "read"),
                "tick": run_wrk(wrk, base, TICK_SCRIPT.format(path=f"{path}/tasks/{task}", token=token, at=at), tmp,
                                "tick"),
            }
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
    print(f"\nLocal server under load: wrk, {SECONDS} s, {CONNECTIONS} connections, 2 threads, "
          f"release build, embedded store ({os.uname().machine}, {os.cpu_count()} cores).")
    print(f"{'request':<12} {'req/s':>10} {'p50':>9} {'p99':>9} {'requests':>9} {'non-2xx':>8}")
    for name, f in results.items():
        print(f"{name:<12} {f['req/s']:>10} {f['p50']:>9} {f['p99']:>9} {f['requests']:>9} {f['non-2xx']:>8}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, OSError, subprocess.CalledProcessError, KeyError) as e:
        print(f"load: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
