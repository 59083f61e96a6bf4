"""A push service on loopback (RFC 8030) for the push and nudge tests, written independently of it:
it checks each request's VAPID authorization (RFC 8292) with `cryptography`, decrypts the
aes128gcm body (RFC 8188/8291) with `http_ece` and the subscription's private key, and keeps what
it found for the test to read.

    python push_service.py        # prints the port on the first line, then serves until killed

POST /register {"id", "behaviour": "ok" | "gone" | "flaky" (503 once, then 201) | "throttle" (429)}
               plays the browser too: makes the subscription's key pair and auth secret, and answers
               {"endpoint", "p256dh", "auth"} as PushSubscription.toJSON() would
POST /push/<id>   the push request itself
GET  /received/<id>   what arrived: [{"ok", "plaintext", "ttl", "urgency", "problems": [...]}]
"""

import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

LOCK = threading.Lock()
SUBSCRIPTIONS: dict = {}
RECEIVED: dict = {}


def b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def check_vapid(header: str, audience: str) -> list:
    problems = []
    if not header.startswith("vapid "):
        return [f"authorization is not a vapid scheme: {header[:20]!r}"]
    params = dict(p.strip().split("=", 1) for p in header[len("vapid "):].split(","))
    token, key = params.get("t", ""), params.get("k", "")
    try:
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        head, body, sig = token.split(".")
        raw = b64d(sig)
        if len(raw) != 64:
            return [f"ES256 signature is {len(raw)} bytes, not 64"]
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
        header_json, claims = json.loads(b64d(head)), json.loads(b64d(body))
    except (ValueError, InvalidSignature) as e:
        return [f"VAPID token does not verify: {e!r}"]
    if header_json.get("alg") != "ES256":
        problems.append(f"alg {header_json.get('alg')}")
    if claims.get("aud") != audience:
        problems.append(f"aud {claims.get('aud')!r}, expected {audience!r}")
    exp = claims.get("exp", 0)
    if not (time.time() < exp <= time.time() + 24 * 3600):
        problems.append(f"exp {exp} is not within the next 24 h")
    sub = str(claims.get("sub", ""))
    if not (sub.startswith("mailto:") or sub.startswith("https:")):
        problems.append(f"sub {sub!r}")
    return problems


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def answer(self, status: int, body: object = None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        sub = self.path.removeprefix("/received/")
        with LOCK:
            self.answer(200, RECEIVED.get(sub, []))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/register":
            reg = json.loads(body)
            private = ec.generate_private_key(ec.SECP256R1())
            auth = os.urandom(16)
            public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            with LOCK:
                SUBSCRIPTIONS[reg["id"]] = dict(reg, calls=0, private=private, auth=auth)
            port = self.server.server_address[1]
            return self.answer(200, {"endpoint": f"http://127.0.0.1:{port}/push/{reg['id']}",
                                     "p256dh": b64e(public), "auth": b64e(auth)})
        sub_id = self.path.removeprefix("/push/")
        with LOCK:
            sub = SUBSCRIPTIONS.get(sub_id)
            if sub is not None:
                sub["calls"] += 1
        if sub is None:
            return self.answer(404, {"error": "no such subscription"})
        behaviour, calls = sub["behaviour"], sub["calls"]
        if behaviour == "gone":
            return self.answer(410, {"error": "unsubscribed"})
        if behaviour == "throttle":
            return self.answer(429, {"error": "slow down"})
        if behaviour == "flaky" and calls == 1:
            return self.answer(503, {"error": "try later"})
        port = self.server.server_address[1]
        problems = check_vapid(self.headers.get("Authorization", ""), f"http://127.0.0.1:{port}")
        if self.headers.get("Content-Encoding") != "aes128gcm":
            problems.append(f"content-encoding {self.headers.get('Content-Encoding')!r}")
        if not (self.headers.get("TTL") or "").isdigit():
            problems.append(f"TTL {self.headers.get('TTL')!r}")
        plaintext = None
        try:
            plaintext = http_ece.decrypt(body, private_key=sub["private"], auth_secret=sub["auth"],
                                         version="aes128gcm").decode()
        except Exception as e:  # noqa: BLE001 - any failure to decrypt is the finding
            problems.append(f"cannot decrypt: {e!r}")
        with LOCK:
            RECEIVED.setdefault(sub_id, []).append({
                "ok": not problems, "plaintext": plaintext, "ttl": self.headers.get("TTL"),
                "urgency": self.headers.get("Urgency"), "topic": self.headers.get("Topic"),
                "problems": problems,
            })
        self.answer(201 if not problems else 400, {"problems": problems})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
