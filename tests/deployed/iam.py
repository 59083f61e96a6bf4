"""Just enough IAM evaluation to ask the template "may this role do this action on this ARN?"."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from standins import StandIns


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(standins: StandIns, role_id: str) -> list[dict[str, Any]]:
    """The role's inline policies and the AWS::IAM::Policy resources attached to it."""
    template = standins.template
    documents = [p["PolicyDocument"] for p in template.properties(role_id).get("Policies", [])]
    for props in template.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in props.get("Roles", []):
            documents.append(props["PolicyDocument"])
    return [s for d in documents for s in _as_list(d["Statement"])]


def role_allows(standins: StandIns, role_id: str, action: str, resource_arn: str) -> bool:
    """Whether an Allow statement of the role names the action and the resource (wildcards as IAM
    reads them; conditions are not evaluated, and the role has no Deny statements to weigh)."""
    for statement in _statements(standins, role_id):
        if statement.get("Effect") != "Allow":
            continue
        if not any(fnmatchcase(action, a) for a in _as_list(statement.get("Action", []))):
            continue
        resources = [standins.resolve(r, f"{role_id} policy resource") for r in _as_list(statement.get("Resource", []))]
        if any(fnmatchcase(resource_arn, r) for r in resources):
            return True
    return False
