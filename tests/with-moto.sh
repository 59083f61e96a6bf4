#!/usr/bin/env bash
# Runs a command with a moto server (a wire-compatible DynamoDB, SES, Scheduler, EventBridge, SQS
# and Secrets Manager endpoint) on 127.0.0.1, and stops it afterwards, whatever the command did.
#
#   tests/with-moto.sh cargo test --workspace
#
# The server's version is pinned; it is installed once into .venv-moto at the repo root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-moto"
moto_version="5.2.5"

# Independent oracles the Rust tests call (TEST_PYTHON below): icalendar parses the calendar feed,
# http_ece decrypts what the push crate encrypted (tests/push/push_service.py).
icalendar_version="7.3.0"
http_ece_version="1.2.1"
if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c "import moto,icalendar,http_ece,sys; sys.exit(moto.__version__ != '$moto_version' or icalendar.__version__ != '$icalendar_version')" 2>/dev/null; then
  echo "with-moto: installing moto $moto_version, icalendar and http-ece into .venv-moto (about a minute, once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "moto[dynamodb,events,scheduler,ses,sqs,secretsmanager,s3,server]==$moto_version" flask flask-cors \
    "icalendar==$icalendar_version" "http-ece==$http_ece_version"
fi
export TEST_PYTHON="$venv/bin/python"

# A free port on loopback.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
log="${TMPDIR:-/tmp}/moto-$port.log"
"$venv/bin/python" "$root/tests/moto_server.py" 127.0.0.1 "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then echo "with-moto: moto failed to start:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/moto-api/" >/dev/null || { echo "with-moto: moto did not answer" >&2; cat "$log" >&2; exit 1; }
echo "with-moto: moto $moto_version on http://127.0.0.1:$port" >&2

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_EC2_METADATA_DISABLED=true
"$@"
