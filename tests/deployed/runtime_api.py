"""A local Lambda Runtime API: real function binaries run as processes and are invoked through it.

Each function gets its own endpoint (a ThreadingHTTPServer on 127.0.0.1, random free port), as
each Lambda sandbox has its own runtime API, and its own queue of invocations. It implements what a
custom runtime calls (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):

    GET  /2018-06-01/runtime/invocation/next            long poll for the next event
    POST /2018-06-01/runtime/invocation/{id}/response   the handler's result
    POST /2018-06-01/runtime/invocation/{id}/error      the handler's failure
    POST /2018-06-01/runtime/init/error                 a failure before the first poll

and starts the process with the environment Lambda gives it. Timestamps of spawn and of the first
poll are kept (`Function.spawned_at`, `Function.first_poll_at`) so a cold-start bench can reuse this.

    with RuntimeApi() as runtime:
        runtime.start(FunctionSpec(name="nudge", executable=path, env={...}))
        runtime.wait_ready("nudge", timeout=10)
        result = runtime.invoke("nudge", {"org_id": "jada", ...}, timeout=30)
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(rf"^{API_PREFIX}/invocation/([^/]+)/(response|error)$")
_POLL_SLICE_S = 0.2
_TAIL_LINES = 40


class InvocationError(Exception):
    """An invocation that failed: the function's error, or its process ended, or it took too long."""

    def __init__(self, function: str, message: str, error: dict[str, Any] | None, log_tail: str):
        self.function = function
        self.error = error
        self.log_tail = log_tail
        super().__init__(f"{function}: {message}\n--- {function} output (last lines) ---\n{log_tail}")


@dataclass(frozen=True)
class FunctionSpec:
    """What Lambda knows about a function: its code, configuration and environment. `name` is the
    key it is invoked by here; `function_name` (default: `name`) is its Lambda name, in its ARN."""

    name: str
    executable: Path
    env: dict[str, str]
    function_name: str = ""
    memory_mb: int = 128
    timeout_s: int = 30
    region: str = "us-west-2"
    account: str = "123456789012"
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.function_name:
            object.__setattr__(self, "function_name", self.name)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name}"


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    deadline_ms: int
    done: threading.Event = field(default_factory=threading.Event)
    response: bytes | None = None
    error: dict[str, Any] | None = None


class Function:
    """One function: its endpoint, its queue, its process and what happened to them."""

    def __init__(self, spec: FunctionSpec, log_dir: Path):
        self.spec = spec
        self.queue: queue.Queue[Invocation] = queue.Queue()
        self.in_flight: dict[str, Invocation] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.init_error: dict[str, Any] | None = None
        self.spawned_at: float | None = None
        self.first_poll_at: float | None = None
        self.log_path = log_dir / f"{spec.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"runtime-api-{spec.name}", daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_port}"

    def log_tail(self, lines: int = _TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def failure(self) -> str | None:
        """Why this function can serve nothing more, if it cannot."""
        if self.init_error is not None:
            return f"init failed: {json.dumps(self.init_error)}"
        code = self.exited()
        if code is not None:
            return f"the process exited with status {code}"
        return None

    def next_invocation(self) -> Invocation | None:
        while not self.stopping.is_set():
            try:
                invocation = self.queue.get(timeout=_POLL_SLICE_S)
            except queue.Empty:
                continue
            with self.lock:
                self.in_flight[invocation.request_id] = invocation
            return invocation
        return None

    def finish(self, request_id: str, response: bytes | None, error: dict[str, Any] | None) -> bool:
        with self.lock:
            invocation = self.in_flight.pop(request_id, None)
        if invocation is None:
            return False
        invocation.response, invocation.error = response, error
        invocation.done.set()
        return True

    def stop(self, grace_s: float = 3.0) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a process being stopped) is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def _handler_for(fn: Function) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
            pass

        def do_GET(self) -> None:
            if self.path != f"{API_PREFIX}/invocation/next":
                return self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
            if fn.first_poll_at is None:
                fn.first_poll_at = time.monotonic()
                fn.ready.set()
            invocation = fn.next_invocation()
            if invocation is None:
                return self._reply(HTTPStatus.GONE, {"errorMessage": "the runtime API is shutting down"})
            self._reply(HTTPStatus.OK, invocation.payload, {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": fn.spec.arn,
                "Lambda-Runtime-Trace-Id": _trace_id(),
            })

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == f"{API_PREFIX}/init/error":
                fn.init_error = _error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type"))
                fn.ready.set()
                return self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})
            match = _INVOCATION_PATH.match(self.path)
            if match is None:
                return self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
            request_id, outcome = match.groups()
            error = _error_body(body, self.headers.get("Lambda-Runtime-Function-Error-Type")) if outcome == "error" else None
            if not fn.finish(request_id, body if error is None else None, error):
                return self._reply(HTTPStatus.BAD_REQUEST, {"errorMessage": f"unknown request id {request_id}"})
            self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})

        def _reply(self, status: HTTPStatus, body: bytes | dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the process went away mid-poll (it is being stopped)

    return Handler


def _error_body(body: bytes, error_type_header: str | None) -> dict[str, Any]:
    try:
        error = json.loads(body or b"{}")
    except json.JSONDecodeError:
        error = {"errorMessage": body.decode(errors="replace")}
    if not isinstance(error, dict):
        error = {"errorMessage": error}
    if error_type_header and "errorType" not in error:
        error["errorType"] = error_type_header
    return error


def _trace_id() -> str:
    root = f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    return f"Root={root};Parent={uuid.uuid4().hex[:16]};Sampled=0"


def _die_with_parent() -> None:
    """In the child before exec: on Linux, get SIGTERM if the test process dies without cleaning up."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def lambda_environment(spec: FunctionSpec, runtime_api: str) -> dict[str, str]:
    """The variables Lambda sets in a function's process, under the function's own."""
    name = spec.function_name
    stream = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
    return {
        **spec.env,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": "AWS_Lambda_provided.al2023",
        "AWS_REGION": spec.region,
        "AWS_DEFAULT_REGION": spec.region,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
    }


class RuntimeApi:
    """The runtime API of several functions, and their processes. Use it as a context manager:
    leaving it stops every process and every endpoint, whatever happened."""

    def __init__(self, log_dir: Path | None = None):
        self._own_log_dir = log_dir is None
        self.log_dir = Path(tempfile.mkdtemp(prefix="runtime-api-")) if log_dir is None else log_dir
        self.functions: dict[str, Function] = {}

    def __enter__(self) -> RuntimeApi:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self, spec: FunctionSpec) -> Function:
        """Opens the function's endpoint and spawns its process (output to `<log_dir>/<name>.log`)."""
        if spec.name in self.functions:
            raise ValueError(f"function {spec.name} is already started")
        if not os.access(spec.executable, os.X_OK):
            raise FileNotFoundError(f"{spec.name}: no executable at {spec.executable}")
        fn = Function(spec, self.log_dir)
        self.functions[spec.name] = fn
        with open(fn.log_path, "wb") as log:
            fn.spawned_at = time.monotonic()
            fn.process = subprocess.Popen(
                [str(spec.executable), *spec.args],
                env=lambda_environment(spec, fn.address),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        return fn

    def wait_ready(self, name: str, timeout: float) -> float:
        """Waits for the function's first poll of /next; returns seconds from spawn to it. Raises
        `InvocationError` with the output if init failed or the process exited first."""
        fn = self.functions[name]
        end = time.monotonic() + timeout
        while not fn.ready.wait(_POLL_SLICE_S):
            if (why := fn.failure()) is not None:
                raise InvocationError(name, f"did not start: {why}", fn.init_error, fn.log_tail())
            if time.monotonic() > end:
                raise InvocationError(name, f"no poll of /next within {timeout:.0f} s", None, fn.log_tail())
        if fn.init_error is not None:
            raise InvocationError(name, f"init failed: {json.dumps(fn.init_error)}", fn.init_error, fn.log_tail())
        assert fn.first_poll_at is not None and fn.spawned_at is not None
        return fn.first_poll_at - fn.spawned_at

    def invoke(self, name: str, payload: Any, timeout: float | None = None) -> Any:
        """Queues one invocation and waits for it: the decoded JSON response, or `InvocationError`
        with the function's error (errorType, errorMessage) and the tail of its output."""
        fn = self.functions[name]
        limit = float(fn.spec.timeout_s if timeout is None else timeout)
        invocation = Invocation(
            request_id=str(uuid.uuid4()),
            payload=json.dumps(payload).encode(),
            deadline_ms=int((time.time() + limit) * 1000),
        )
        fn.queue.put(invocation)
        end = time.monotonic() + limit
        while not invocation.done.wait(_POLL_SLICE_S):
            if (why := fn.failure()) is not None:
                raise InvocationError(name, why, fn.init_error, fn.log_tail())
            if time.monotonic() > end:
                raise InvocationError(name, f"no answer within {limit:.0f} s", None, fn.log_tail())
        if invocation.error is not None:
            message = f"{invocation.error.get('errorType')}: {invocation.error.get('errorMessage')}"
            raise InvocationError(name, message, invocation.error, fn.log_tail())
        return json.loads(invocation.response or b"null")

    def function_for_arn(self, arn: str) -> str:
        """The started function a target ARN names (a version or alias suffix is allowed)."""
        for name, fn in self.functions.items():
            if arn == fn.spec.arn or arn.startswith(fn.spec.arn + ":"):
                return name
        known = ", ".join(f"{n}={f.spec.arn}" for n, f in self.functions.items())
        raise KeyError(f"no started function has ARN {arn} (started: {known})")

    def stop(self) -> None:
        for fn in self.functions.values():
            try:
                fn.stop()
            except Exception as e:  # keep stopping the others
                print(f"runtime-api: stopping {fn.spec.name}: {e}")
