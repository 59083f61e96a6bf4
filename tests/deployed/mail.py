"""Mail the functions sent through SES v2, as moto recorded it (`/moto-api/data.json`)."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses


@dataclass(frozen=True)
class Mail:
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    message: EmailMessage

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return "" if body is None else body.get_content()  # quoted-printable and base64 decoded


def parse(raw: str, source: str) -> Mail:
    message = email.message_from_string(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    to = tuple(addr for _, addr in getaddresses([str(v) for v in message.get_all("To", [])]))
    return Mail(source, to, str(message["Subject"] or ""), _part(message, "plain"), _part(message, "html"), message)


class Outbox:
    """What moto has recorded as sent; `new()` returns the messages since the last call."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")
        self.seen = 0

    def all(self) -> list[Mail]:
        with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=10) as response:
            data = json.load(response)
        ses = data.get("ses", {})
        if ses.get("Message"):
            raise AssertionError(f"{len(ses['Message'])} SES message(s) sent as Simple content; our mailer sends raw MIME")
        return [parse(m["raw_data"], m.get("source", "")) for m in ses.get("RawMessage", [])]

    def new(self) -> list[Mail]:
        mails = self.all()
        fresh, self.seen = mails[self.seen:], len(mails)
        return fresh
