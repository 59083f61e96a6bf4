"""The deployed shape, end to end: the four Lambda binaries, configured from the synthesized dev
stack, run under a local Lambda Runtime API against moto, and are driven as AWS would drive them.

    make deployed-e2e      (or: tests/with-moto.sh .venv-moto/bin/python tests/deployed/run.py)

See tests/deployed/README.md for what each step proves."""

from __future__ import annotations

import json
import re
import signal
import sys
import tempfile
import tomllib
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from iam import role_allows
from mail import Mail
from runtime_api import InvocationError, RuntimeApi
from standins import UnknownReference
from template import TemplateError
from world import (CHECKLISTS, ORG, TABLE_SCHEMA, Steps, World, build_world, check, check_tools,
                   first_admin, org_of, parse_time, present, provision)

NUDGE_LEAD = timedelta(minutes=30)

# ---- the scenario ------------------------------------------------------------------------------

def only_mail(mails: list[Mail], to: str, what: str) -> Mail:
    check(len(mails) == 1 and mails[0].to == (to,),
          f"{what}: expected one mail to {to}, got {[(m.to, m.subject) for m in mails]}")
    return mails[0]


def check_from(mail: Mail, sender: str) -> None:
    check(sender in (mail.header("From") or ""), f"mail {mail.subject!r} is from {mail.header('From')}, not {sender}")


def sign_in(world: World, email: str) -> str:
    app_url = world.var("magic-link", "APP_URL")
    asked = world.http.request("POST", "/auth/magic-link", {"email": email})
    check(asked.status == 202, f"POST /auth/magic-link: {asked.describe()}")
    mail = only_mail(world.outbox.new(), email, "sign-in")
    check_from(mail, world.var("magic-link", "SES_SENDER_ADDRESS"))
    check(mail.subject == "Your Ship Captain Crew sign-in link", f"sign-in subject: {mail.subject!r}")
    found = re.search(re.escape(app_url) + r"/signin#token=([^\s\"'<>&]+)", mail.text)
    token = present(found, f"no {app_url}/signin#token= link in the sign-in mail:\n{mail.text}").group(1)
    grant = world.http.request("POST", "/auth/exchange", {"token": token, "org_id": ORG})
    check(grant.status == 200, f"POST /auth/exchange: {grant.describe()}")
    body = grant.json()
    check((body["email"], body["org"]["id"], body["role"]) == (email, ORG, "admin"),
          f"the grant is not {email} as admin of {ORG}: {body}")
    replay = world.http.request("POST", "/auth/exchange", {"token": token})
    check(replay.status == 401, f"a spent link signed in again: {replay.describe()}")
    return body["token"]


def direct_calls_refused(world: World, email: str, token: str) -> None:
    """Calls straight to the execute-api URL carry no origin header (and a forged
    CloudFront-Viewer-Address): both functions refuse them before doing anything, even with a
    valid session, while the same call through CloudFront is served."""
    for method, path, body, bearer in [("POST", "/auth/magic-link", {"email": email}, None),
                                       ("GET", "/api/me", None, token)]:
        answer = world.http.request(method, path, body, token=bearer, via_cloudfront=False)
        check(answer.status == 403 and answer.headers.get("content-type") == "application/problem+json"
              and answer.json().get("type") == "/problems/unverified-origin",
              f"{method} {path} without the origin header: {answer.describe()}")
    check(world.outbox.new() == [], "a refused sign-in request sent mail")
    me = world.http.request("GET", "/api/me", token=token)
    check(me.status == 200, f"GET /api/me through CloudFront: {me.describe()}")


def event_kind(portfolio: dict[str, Any]) -> tuple[str, list[str]]:
    """The org's first enabled kind, and the nudges its checklist template asks for."""
    kind = org_of(portfolio, ORG)["enabled_kinds"][0]
    nudges = tomllib.loads((CHECKLISTS / f"{kind}.toml").read_text()).get("nudges", [])
    return kind, nudges


@dataclass(frozen=True)
class CreatedEvent:
    id: str
    title: str
    departs_at: datetime


def create_event(world: World, token: str, captain: str, kind: str) -> CreatedEvent:
    departs = (datetime.now(timezone.utc) + timedelta(hours=3)).replace(second=0, microsecond=0)
    body: dict[str, Any] = {
        "kind": kind,
        "title": f"E2E {kind} {uuid.uuid4().hex[:6]}",
        "vessel": "Test Vessel",
        "departs_at": departs.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "returns_at": (departs + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "crew": [{"email": captain, "role": "captain"}],
    }
    # One person aboard is short of any kind's crew: the office is asked to confirm it (issue 17).
    warned = world.http.request("POST", "/api/events", body, token=token)
    check(warned.status == 409 and warned.json().get("type") == "/problems/unconfirmed-warnings"
          and [e["code"] for e in warned.json().get("errors", [])] == ["short_of_crew"],
          f"POST /api/events with one crew: {warned.describe()}")
    body["confirm"] = ["short_of_crew"]
    created = world.http.request("POST", "/api/events", body, token=token)
    check(created.status == 201, f"POST /api/events: {created.describe()}")
    event = created.json()
    check(created.headers.get("location") == f"/api/events/{event['id']}",
          f"Location {created.headers.get('location')!r} does not name event {event['id']}")
    check(parse_time(event["departs_at"]["at"]) == departs, f"departs_at {event['departs_at']} is not {departs}")
    check([c["email"] for c in event["crew"]] == [captain] and event["my_role"] == "captain",
          f"the event's crew is not {captain} as captain: {event['crew']}, my_role {event['my_role']}")
    return CreatedEvent(event["id"], body["title"], departs)


def depart_return_sign_off(world: World, token: str, event: CreatedEvent) -> int:
    """Departs confirming the open safety tasks, returns, signs off; a later tick is refused by the
    table's own condition. Returns how many safety tasks were confirmed open."""
    path = f"/api/events/{event.id}"
    view = world.http.request("GET", path, token=token)
    check(view.status == 200, f"GET {path}: {view.describe()}")
    open_ids = [t["id"] for t in view.json()["departure_check"]["open_safety_tasks"]]
    refused = world.http.request("POST", f"{path}/departed", {}, token=token)
    check(refused.status == 409 or not open_ids, f"departed with nothing confirmed: {refused.describe()}")
    gone = world.http.request("POST", f"{path}/departed", {"confirm_open_safety_tasks": open_ids}, token=token)
    check(gone.status == 200 and gone.json()["status"] == "underway", f"departed: {gone.describe()}")
    back = world.http.request("POST", f"{path}/returned", {}, token=token)
    check(back.status == 200 and back.json()["sign_off"]["status"] == "ready", f"returned: {back.describe()}")
    still_open = [t["id"] for t in back.json()["sign_off"]["open_tasks"]]
    signed = world.http.request("POST", f"{path}/sign-off", {"open_tasks": still_open}, token=token)
    check(signed.status == 200 and signed.json()["sign_off"]["status"] == "signed", f"sign-off: {signed.describe()}")
    task = still_open[0] if still_open else "float_plan"
    tick = world.http.request("PUT", f"{path}/tasks/{task}", {
        "done": True, "op_id": f"op-e2e-{uuid.uuid4().hex[:12]}",
        "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}, token=token)
    check(tick.status == 409, f"a tick after the sign-off: {tick.describe()}")
    return len(open_ids)


def nudge_schedules(world: World, event_id: str) -> dict[str, dict[str, Any]]:
    """The event's schedules in the api's schedule group, by nudge kind."""
    scheduler = world.aws.client("scheduler")
    group = world.var("api", "SCHEDULER_GROUP")
    found: dict[str, dict[str, Any]] = {}
    for summary in scheduler.list_schedules(GroupName=group)["Schedules"]:
        schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=group)
        payload = json.loads(schedule["Target"]["Input"])
        if payload.get("event_id") == event_id:
            found[payload["kind"]] = schedule
    return found


def check_role_may(world: World, role_arn: str, action: str, resource: str, what: str) -> None:
    role_id = present(world.standins.logical_id_of(role_arn, having="RoleId"), f"{what}: role {role_arn} is no role of the template")
    check(role_allows(world.standins, role_id, action, resource), f"{what}: role {role_id} may not {action} on {resource}")


TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query")
# The keys a task photo is stored under (crates/domain/src/photo.rs): full image and thumbnail.
PHOTO_KEYS = tuple(f"photos/{ORG}/01HZZZZZZZZZZZZZZZZZZZZZZ2/01HZZZZZZZZZZZZZZZZZZZZZZ1{size}.{ext}"
                   for size in ("", ".thumb") for ext in ("jpg", "png", "webp"))
PHOTO_ACTIONS = ("s3:PutObject", "s3:GetObject")


def stand_in_arn(world: World, value: str, what: str) -> str:
    logical_id = present(world.standins.logical_id_of(value, having="Arn"), f"{what}: {value} is no resource of the template")
    return world.standins.made[logical_id]["Arn"]


def needed_permissions(world: World, function: str) -> list[tuple[str, str]]:
    """(action, resource) pairs a function needs for what its environment names; moto enforces no
    IAM, so this is where a policy that lost a statement is caught."""
    env, region, account = world.env[function], world.standins.account.region, world.standins.account.id
    needed: list[tuple[str, str]] = []
    table = stand_in_arn(world, env["DYNAMODB_TABLE"], f"{function} DYNAMODB_TABLE")
    indexes = [i["name"] for kind in ("globalSecondaryIndexes", "localSecondaryIndexes")
               for i in json.loads(TABLE_SCHEMA.read_text()).get(kind, [])]
    needed += [(a, table) for a in TABLE_ACTIONS] + [("dynamodb:Query", f"{table}/index/{i}") for i in indexes]
    needed += [("secretsmanager:GetSecretValue", v) for k, v in env.items() if k.endswith("_SECRET_ARN")]
    if "EVENT_BUS_NAME" in env:
        needed.append(("events:PutEvents", stand_in_arn(world, env["EVENT_BUS_NAME"], f"{function} EVENT_BUS_NAME")))
    if "SCHEDULER_ROLE_ARN" in env:
        needed.append(("iam:PassRole", env["SCHEDULER_ROLE_ARN"]))
    if "PHOTO_BUCKET" in env:
        # A presigned URL carries the signer's permissions: the api's role must allow what phones do.
        bucket = stand_in_arn(world, env["PHOTO_BUCKET"], f"{function} PHOTO_BUCKET")
        needed += [(a, f"{bucket}/{key}") for a in PHOTO_ACTIONS for key in PHOTO_KEYS]
    sender = env["SES_SENDER_ADDRESS"]
    identity = sender if sender in world.identities else sender.split("@")[-1]
    needed.append(("ses:SendEmail", f"arn:aws:ses:{region}:{account}:identity/{identity}"))
    if env.get("SES_CONFIGURATION_SET"):
        needed.append(("ses:SendEmail", f"arn:aws:ses:{region}:{account}:configuration-set/{env['SES_CONFIGURATION_SET']}"))
    return needed


def check_photo_bucket(world: World) -> str:
    """The bucket PHOTO_BUCKET names exists, admits the app's origin (APP_URL) for the browser's
    PUT and GET, and only the api's role may put or get photos; nothing else of the bucket."""
    bucket = world.var("api", "PHOTO_BUCKET")
    app_url = world.var("api", "APP_URL")
    rules = world.aws.client("s3").get_bucket_cors(Bucket=bucket)["CORSRules"]
    check(len(rules) == 1 and rules[0]["AllowedOrigins"] == [app_url]
          and {"PUT", "GET"} <= set(rules[0]["AllowedMethods"])
          and "content-type" in [h.lower() for h in rules[0].get("AllowedHeaders", [])],
          f"photo bucket {bucket}: CORS {rules} does not let {app_url} PUT and GET with content-type")
    arn = stand_in_arn(world, bucket, "api PHOTO_BUCKET")
    for name, fn in world.functions.items():
        role = world.standins.resolve(world.template.properties(fn.logical_id)["Role"], f"{name} Role")
        role_id = present(world.standins.logical_id_of(role, having="RoleId"), f"{name}: role {role} is no role of the template")
        if name != "api":
            check("PHOTO_BUCKET" not in world.env[name], f"{name} is given PHOTO_BUCKET")
            for action in PHOTO_ACTIONS:
                check(not role_allows(world.standins, role_id, action, f"{arn}/{PHOTO_KEYS[0]}"),
                      f"{name}'s role may {action} photos")
    api_role = world.standins.resolve(world.template.properties(world.functions["api"].logical_id)["Role"], "api Role")
    api_role_id = present(world.standins.logical_id_of(api_role, having="RoleId"), "api role")
    for action, resource in [("s3:DeleteObject", f"{arn}/{PHOTO_KEYS[0]}"), ("s3:PutObject", f"{arn}/elsewhere.jpg"),
                             ("s3:GetObject", f"{arn}/elsewhere.jpg"), ("s3:ListBucket", arn)]:
        check(not role_allows(world.standins, api_role_id, action, resource), f"the api's role may {action} on {resource}")
    return bucket


def check_function_permissions(world: World) -> int:
    checked = 0
    for name, fn in world.functions.items():
        role = world.template.properties(fn.logical_id)["Role"]
        role_arn = world.standins.resolve(role, f"{name} Role")
        for action, resource in needed_permissions(world, name):
            check_role_may(world, role_arn, action, resource, f"{name}'s execution role")
            checked += 1
    return checked


def check_nudge_schedule(world: World, schedule: dict[str, Any], event: CreatedEvent) -> dict[str, Any]:
    target = schedule["Target"]
    payload = json.loads(target["Input"])
    expect = {name: world.var("api", name) for name in ("NUDGE_FUNCTION_ARN", "SCHEDULER_ROLE_ARN", "NUDGE_DLQ_ARN")}
    check(target["Arn"] == expect["NUDGE_FUNCTION_ARN"], f"schedule targets {target['Arn']}, not {expect['NUDGE_FUNCTION_ARN']}")
    check(target["RoleArn"] == expect["SCHEDULER_ROLE_ARN"], f"schedule role {target['RoleArn']}, not {expect['SCHEDULER_ROLE_ARN']}")
    check(target.get("DeadLetterConfig", {}).get("Arn") == expect["NUDGE_DLQ_ARN"],
          f"schedule dead letters go to {target.get('DeadLetterConfig')}, not {expect['NUDGE_DLQ_ARN']}")
    check(world.runtime.function_for_arn(target["Arn"]) == "nudge", f"schedule target {target['Arn']} is not the nudge function")
    check_role_may(world, target["RoleArn"], "lambda:InvokeFunction", target["Arn"], "nudge schedule")
    check_role_may(world, target["RoleArn"], "sqs:SendMessage", expect["NUDGE_DLQ_ARN"], "nudge schedule")
    api_role = world.standins.resolve(world.template.properties(world.functions["api"].logical_id)["Role"], "api Role")
    for action in ("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"):
        check_role_may(world, api_role, action, schedule["Arn"], "api's execution role")
    anchor, fire = parse_time(payload["anchor_at"]), parse_time(payload["fire_at"])
    check((payload["org_id"], anchor) == (ORG, event.departs_at), f"schedule input {payload} is not for the departure")
    check(fire == anchor - NUDGE_LEAD, f"nudge fires at {fire}, not {NUDGE_LEAD} before {anchor}")
    expression = f"at({fire.strftime('%Y-%m-%dT%H:%M:%S')})"
    check((schedule["ScheduleExpression"], schedule.get("ScheduleExpressionTimezone")) == (expression, "UTC"),
          f"schedule expression {schedule['ScheduleExpression']} {schedule.get('ScheduleExpressionTimezone')}, not {expression} UTC")
    return payload


def fire_nudge(world: World, schedule: dict[str, Any], event: CreatedEvent, captain: str) -> None:
    """Invokes the schedule's target with exactly the schedule's input, as Scheduler would."""
    target = schedule["Target"]
    function = world.runtime.function_for_arn(target["Arn"])
    result = world.runtime.invoke(function, json.loads(target["Input"]))
    check(result == {"sent": 1, "skipped": 0}, f"nudge answered {result}")
    mail = only_mail(world.outbox.new(), captain, "nudge")
    check_from(mail, world.var("nudge", "SES_SENDER_ADDRESS"))
    check(mail.subject.startswith(f"{event.title} departs in "), f"nudge subject {mail.subject!r}")
    link = f"{world.var('nudge', 'APP_URL')}/events/{event.id}?org={ORG}"
    check(link in mail.text and link in mail.html, f"the nudge does not link {link}:\n{mail.text}")
    again = world.runtime.invoke(function, json.loads(target["Input"]))
    check(again == {"sent": 0, "skipped": 1}, f"a repeated nudge answered {again}")
    check(world.outbox.new() == [], "a repeated nudge mailed again")


def expected_reports(world: World) -> list[tuple[str, str]]:
    """(recipient, subject prefix) of every weekly mail the portfolio file and the stage ask for."""
    expected = [
        (to, f"{org['name']} {perspective.replace('_', ' ')} · ")
        for org in world.portfolio["org"]
        for perspective, recipients in org.get("report_recipients", {}).items()
        for to in recipients
    ]
    portfolio_to = [a for a in world.var("report", "PORTFOLIO_RECIPIENTS").split(",") if a.strip()]
    return expected + [(to.strip(), "Portfolio ") for to in portfolio_to]


def match_reports(mails: list[Mail], expected: list[tuple[str, str]]) -> dict[tuple[str, str], Mail]:
    left = list(mails)
    matched: dict[tuple[str, str], Mail] = {}
    for to, prefix in expected:
        hit = present(next((m for m in left if m.to == (to,) and m.subject.startswith(prefix)), None),
                      f"no weekly mail to {to} starting {prefix!r}; sent: {[(m.to, m.subject) for m in mails]}")
        left.remove(hit)
        matched[(to, prefix)] = hit
    check(left == [], f"weekly mails nobody asked for: {[(m.to, m.subject) for m in left]}")
    return matched


def schedule_target(world: World, logical_id: str) -> tuple[str, Any]:
    """A template schedule's target function and input, with its role checked."""
    target = world.template.properties(logical_id)["Target"]
    arn = world.standins.resolve(target["Arn"], f"{logical_id} Target.Arn")
    role = world.standins.resolve(target["RoleArn"], f"{logical_id} Target.RoleArn")
    check_role_may(world, role, "lambda:InvokeFunction", arn, logical_id)
    if "DeadLetterConfig" in target:
        queue = world.standins.resolve(target["DeadLetterConfig"]["Arn"], f"{logical_id} dead letters")
        check_role_may(world, role, "sqs:SendMessage", queue, logical_id)
    return world.runtime.function_for_arn(arn), json.loads(target.get("Input", "{}"))


def template_schedule(world: World, expression_prefix: str) -> tuple[str, Any]:
    """The one recurring schedule of the template whose expression starts so."""
    found = [logical_id for logical_id, props in world.template.of_type("AWS::Scheduler::Schedule").items()
             if props["ScheduleExpression"].startswith(expression_prefix)]
    check(len(found) == 1, f"expected one {expression_prefix}…) schedule in the template, found {found}")
    return schedule_target(world, found[0])


def weekly_schedule(world: World) -> tuple[str, Any]:
    return template_schedule(world, "cron(")


def reconcile_nudges(world: World, event: CreatedEvent, lost: dict[str, Any]) -> None:
    """A schedule lost to a Scheduler failure comes back when the hourly schedule's input reaches
    nudge: same name, target, role and queue as the api wrote, for the event's departure."""
    function, payload = template_schedule(world, "rate(")
    check(function == "nudge", f"the hourly schedule targets {function}, not nudge")
    for name in ("SCHEDULER_GROUP", "SCHEDULER_ROLE_ARN", "NUDGE_FUNCTION_ARN", "NUDGE_DLQ_ARN"):
        check(world.var("nudge", name) == world.var("api", name),
              f"nudge's {name} {world.var('nudge', name)} is not the api's {world.var('api', name)}")
    scheduler = world.aws.client("scheduler")
    scheduler.delete_schedule(Name=lost["Name"], GroupName=lost["GroupName"])
    check("departure" not in nudge_schedules(world, event.id), "the deleted schedule is still there")
    result = world.runtime.invoke(function, payload)
    summary = result.get("reconciled", {})
    check(summary.get("scheduled", 0) >= 1 and summary.get("failed") == 0 and summary.get("orgs") == len(world.portfolio["org"]),
          f"reconciliation answered {result}")
    back = present(nudge_schedules(world, event.id).get("departure"), "the reconciliation did not plan the departure nudge")
    check(back["Name"] == lost["Name"], f"re-planned as {back['Name']}, the api named it {lost['Name']}")
    check(check_nudge_schedule(world, back, event) == json.loads(lost["Target"]["Input"]),
          "the re-planned schedule's input differs from the api's")
    nudge_role = world.standins.resolve(world.template.properties(world.functions["nudge"].logical_id)["Role"], "nudge Role")
    for action in ("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"):
        check_role_may(world, nudge_role, action, back["Arn"], "nudge's execution role")
    check(world.outbox.new() == [], "the reconciliation mailed someone")


def weekly_report(world: World) -> dict[tuple[str, str], Mail]:
    function, payload = weekly_schedule(world)
    check(function == "report", f"the weekly schedule targets {function}, not report")
    expected = expected_reports(world)
    summary = world.runtime.invoke(function, payload)
    check(summary.get("orgs") == len(world.portfolio["org"]) and summary.get("orgs_failed") == 0
          and summary.get("failed") == 0 and summary.get("sent") == len(expected),
          f"report run summary {summary}; expected {len(world.portfolio['org'])} orgs and {len(expected)} sent")
    matched = match_reports(world.outbox.new(), expected)
    app_url = world.var("report", "APP_URL")
    for mail in matched.values():
        check_from(mail, world.var("report", "SES_SENDER_ADDRESS"))
        unsubscribe = mail.header("List-Unsubscribe") or ""
        check(unsubscribe.startswith(f"<{app_url}/api/unsubscribe?token="), f"{mail.subject!r}: List-Unsubscribe {unsubscribe!r}")
        check(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click", f"{mail.subject!r}: no one-click header")
    return matched


def one_click_unsubscribe(world: World, mail: Mail) -> None:
    """The report's link, signed with the pepper report read, is accepted by the api, which read
    the pepper from its own variable: both point at the same secret."""
    url = (mail.header("List-Unsubscribe") or "").strip("<>")
    parts = urllib.parse.urlsplit(url)
    answer = world.http.request("POST", f"{parts.path}?{parts.query}", form="List-Unsubscribe=One-Click")
    check(answer.status == 200 and answer.json().get("status") == "unsubscribed", f"one-click unsubscribe: {answer.describe()}")


# ---- main --------------------------------------------------------------------------------------

def _raise_exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def scenario(steps: Steps, world: World, notes: list[str]) -> None:
    with steps.step("each function's role may use what its environment names"):
        notes.append(f"IAM: {check_function_permissions(world)} (action, resource) pairs allowed by the template's roles")
    with steps.step("the photo bucket: CORS for APP_URL, photos only the api's to put and get"):
        notes.append(f"photo bucket {check_photo_bucket(world)}")
    with steps.step("operator apply, then apply and plan change nothing"):
        provision(world.credentials, world.var("api", "DYNAMODB_TABLE"))
    admin = first_admin(world.portfolio, ORG)["email"]
    with steps.step(f"sign in as {ORG}'s first admin by magic link (mail read from SES)"):
        token = sign_in(world, admin)
    with steps.step("calls that bypass CloudFront (no origin header) get 403 from both functions"):
        direct_calls_refused(world, admin, token)
    kind, nudges = event_kind(world.portfolio)
    with steps.step(f"create a {kind} departing in 3 hours, admin as captain"):
        event = create_event(world, token, admin, kind)
    with steps.step("the nudge schedules match the template's group, target, role and queue"):
        schedules = nudge_schedules(world, event.id)
        check(sorted(schedules) == sorted(nudges), f"schedules for {sorted(schedules)}, the {kind} template asks {nudges}")
        check_nudge_schedule(world, schedules["departure"], event)
    with steps.step("fire the nudge with the schedule's input: one mail, then none"):
        fire_nudge(world, schedules["departure"], event, admin)
    with steps.step("a lost nudge schedule is re-planned by the hourly schedule's input to nudge"):
        reconcile_nudges(world, event, schedules["departure"])
    with steps.step("depart confirming the open safety tasks, return, sign off; a tick after it is refused"):
        confirmed = depart_return_sign_off(world, token, event)
        notes.append(f"departed with {confirmed} safety tasks confirmed open, then signed off")
    with steps.step("run the weekly schedule's input through report: every report mailed"):
        reports = weekly_report(world)
        notes.append(f"mail read back from SES: 1 sign-in, 1 nudge, {len(reports)} weekly reports")
    with steps.step("one-click unsubscribe from a report through the api"):
        one_click_unsubscribe(world, next(iter(reports.values())))


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_exit)
    steps, notes = Steps(), list[str]()
    check_tools()
    with tempfile.TemporaryDirectory(prefix="deployed-e2e-") as tmp, RuntimeApi(Path(tmp)) as runtime:
        world = build_world(steps, Path(tmp), runtime, notes)
        scenario(steps, world, notes)
    print(steps.summary(notes))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (AssertionError, InvocationError, TemplateError, UnknownReference) as e:
        print(f"deployed-e2e: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
