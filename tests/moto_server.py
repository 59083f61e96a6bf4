"""moto's server with one request handled at a time.

DynamoDB applies writes to one item one after another, which is what makes a conditional update
atomic. moto's handlers mutate shared Python objects without locks, so two concurrent updates of
one item can interleave (a condition sees a half-written item; an ADD loses an increment). The
concurrency tests check our conditional writes, not moto's thread safety, so this wrapper keeps
moto's threaded HTTP server but runs the application under one lock: per-item (indeed global)
serialisation, as DynamoDB guarantees per item.

Usage: moto_server.py HOST PORT
"""

import os
import signal
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # Drain the response inside the lock: the body may be produced lazily.
            return [b"".join(app(environ, start_response))]

    run_simple(host, port, serialised, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
