"""Local stand-ins (in moto) for the resources the template's values point at, and the resolver
that turns `Ref`, `Fn::GetAtt` and `Fn::Join` into their values.

A stand-in is made the first time something refers to its resource, by the resource's type; a
reference to a type (or an attribute) without a stand-in here fails with a message naming it, so a
new variable pointing at a new kind of resource is noticed rather than guessed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from template import Template

Attributes = dict[str, str]  # "Ref" and each Fn::GetAtt attribute -> value


class UnknownReference(Exception):
    """A template value refers to something this test has no local stand-in for."""


@dataclass(frozen=True)
class Account:
    id: str
    region: str
    run_id: str


def _keys(key_schema: dict[str, Any], table_pk: dict[str, Any] | None = None) -> list[dict[str, str]]:
    out = [] if table_pk is None else [{"AttributeName": table_pk["name"], "KeyType": "HASH"}]
    if "partitionKey" in key_schema:
        out.append({"AttributeName": key_schema["partitionKey"]["name"], "KeyType": "HASH"})
    if "sortKey" in key_schema:
        out.append({"AttributeName": key_schema["sortKey"]["name"], "KeyType": "RANGE"})
    return out


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index["projection"]}
    if index.get("nonKeyAttributes"):
        projection["NonKeyAttributes"] = index["nonKeyAttributes"]
    return projection


def table_definition(schema: dict[str, Any]) -> dict[str, Any]:
    """CreateTable arguments from table.json, built as infra-cdk/lib/table-schema.ts and the stack
    build the table: GSIs with their own keys, LSIs on the table's partition key, on demand."""
    attributes: dict[str, str] = {}
    for key in [schema["partitionKey"], schema.get("sortKey")] + [
        k for i in schema.get("globalSecondaryIndexes", []) for k in (i["partitionKey"], i.get("sortKey"))
    ] + [i["sortKey"] for i in schema.get("localSecondaryIndexes", [])]:
        if key is not None:
            attributes[key["name"]] = key["type"]
    definition: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        "KeySchema": _keys(schema),
        "BillingMode": "PAY_PER_REQUEST",
    }
    gsis = [{"IndexName": i["name"], "KeySchema": _keys(i), "Projection": _projection(i)}
            for i in schema.get("globalSecondaryIndexes", [])]
    lsis = [{"IndexName": i["name"], "KeySchema": _keys(i, schema["partitionKey"]), "Projection": _projection(i)}
            for i in schema.get("localSecondaryIndexes", [])]
    if gsis:
        definition["GlobalSecondaryIndexes"] = gsis
    if lsis:
        definition["LocalSecondaryIndexes"] = lsis
    return definition


def _canonical(value: Any) -> str:
    """Order-insensitive form of a table definition's lists, for comparing with the template."""
    if isinstance(value, list):
        return "[" + ",".join(sorted(_canonical(v) for v in value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_canonical(v)}" for k, v in sorted(value.items())) + "}"
    return json.dumps(value)


# GenerateSecretString fields that are GetRandomPassword's parameters, under the same names.
_PASSWORD_OPTIONS = {
    "PasswordLength", "ExcludeCharacters", "ExcludeLowercase", "ExcludeNumbers",
    "ExcludePunctuation", "ExcludeUppercase", "IncludeSpace", "RequireEachIncludedType",
}


# The properties by which a literal value can name a resource.
_NAME_PROPERTIES = ("Name", "TableName", "QueueName", "FunctionName", "RoleName", "ConfigurationSetName", "BucketName")


class StandIns:
    """Makes, remembers and names the local stand-in of each resource the template refers to."""

    def __init__(self, template: Template, clients: Callable[[str], Any], account: Account,
                 table_schema: Path, app_domain: str):
        self.template = template
        self.client = clients
        self.account = account
        self.table_schema = table_schema
        self.app_domain = app_domain
        self.made: dict[str, Attributes] = {}
        self.makers: dict[str, Callable[[str, dict[str, Any]], Attributes]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Scheduler::ScheduleGroup": self._schedule_group,
            "AWS::SQS::Queue": self._queue,
            "AWS::SES::ConfigurationSet": self._configuration_set,
            "AWS::SES::EmailIdentity": self._email_identity,
            "AWS::Lambda::Function": self._function,
            "AWS::IAM::Role": self._role,
            "AWS::CloudFront::Distribution": self._distribution,
            "AWS::S3::Bucket": self._bucket,
        }

    # ---- resolving ---------------------------------------------------------------------------

    def resolve(self, value: Any, where: str) -> str:
        """A template value as the deployed function would see it, with local stand-ins."""
        if isinstance(value, str):
            self._stand_in_named(value, where)
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                return self.attribute(arg, "Ref", where)
            if fn == "Fn::GetAtt":
                logical_id, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.attribute(logical_id, attr, where)
            if fn == "Fn::Join":
                separator, parts = arg
                return separator.join(self.resolve(p, where) for p in parts)
        raise UnknownReference(f"{where}: cannot resolve {json.dumps(value)} (only literals, Ref, "
                               f"Fn::GetAtt and Fn::Join are handled; extend tests/deployed/standins.py)")

    def attribute(self, logical_id: str, attr: str, where: str) -> str:
        pseudo = self._pseudo(logical_id) if attr == "Ref" else None
        if pseudo is not None:
            return pseudo
        if logical_id not in self.template.resources:
            raise UnknownReference(f"{where}: refers to {logical_id}, which is not in the template")
        attributes = self.stand_in(logical_id, where)
        if attr not in attributes:
            raise UnknownReference(f"{where}: {self.template.type_of(logical_id)} {logical_id} has no "
                                   f"stand-in for {attr} (known: {sorted(attributes)}); extend tests/deployed/standins.py")
        return attributes[attr]

    def stand_in(self, logical_id: str, where: str) -> Attributes:
        if logical_id not in self.made:
            resource_type = self.template.type_of(logical_id)
            maker = self.makers.get(resource_type)
            if maker is None:
                raise UnknownReference(f"{where}: refers to {resource_type} {logical_id}, which has no local "
                                       f"stand-in; add one to StandIns.makers in tests/deployed/standins.py")
            self.made[logical_id] = maker(logical_id, self.template.properties(logical_id))
        return self.made[logical_id]

    def _stand_in_named(self, literal: str, where: str) -> None:
        """A literal may name a resource rather than refer to it (CDK writes a name it knows as a
        string, e.g. a schedule group's): that resource needs its stand-in too."""
        for logical_id, resource in self.template.resources.items():
            props = resource.get("Properties", {})
            if any(props.get(p) == literal for p in _NAME_PROPERTIES):
                self.stand_in(logical_id, where)

    def logical_id_of(self, value: str, having: str = "Ref") -> str | None:
        """Which stand-in (made so far) has this value as its Ref or an attribute, and has the
        attribute `having` (names are not unique across types: a bus and a configuration set
        may share one)."""
        return next((k for k, attrs in self.made.items() if value in attrs.values() and having in attrs), None)

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.account.region,
            "AWS::AccountId": self.account.id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }.get(name)

    def _arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.account.region if region else ''}:{self.account.id}:{resource}"

    # ---- stand-ins, by type --------------------------------------------------------------------

    def _table(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        schema = json.loads(self.table_schema.read_text())
        definition = table_definition(schema)
        for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode"):
            if _canonical(definition.get(key)) != _canonical(props.get(key)):
                raise AssertionError(f"table {logical_id}: {key} in the template differs from {self.table_schema.name}:\n"
                                     f"  template:   {json.dumps(props.get(key))}\n  table.json: {json.dumps(definition.get(key))}")
        name = f"shipcaptaincrew-e2e-{self.account.run_id}"
        ddb = self.client("dynamodb")
        ddb.create_table(TableName=name, **definition)
        ddb.get_waiter("table_exists").wait(TableName=name)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        return {"Ref": name, "Arn": self._arn("dynamodb", f"table/{name}")}

    def _secret(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        if "SecretString" in props:
            value = self.resolve(props["SecretString"], f"{logical_id}.SecretString")
        else:
            value = self._generated_secret(logical_id, props.get("GenerateSecretString", {}))
        out = self.client("secretsmanager").create_secret(Name=props["Name"], SecretString=value)
        return {"Ref": out["ARN"], "Id": out["ARN"]}

    def _generated_secret(self, logical_id: str, spec: dict[str, Any]) -> str:
        """What CloudFormation stores for a GenerateSecretString: a random password (generated by
        Secrets Manager with the spec's options), alone or under GenerateStringKey in the template."""
        unknown = set(spec) - _PASSWORD_OPTIONS - {"SecretStringTemplate", "GenerateStringKey"}
        if unknown:
            raise UnknownReference(f"{logical_id}.GenerateSecretString: unhandled fields {sorted(unknown)}")
        options = {k: v for k, v in spec.items() if k in _PASSWORD_OPTIONS}
        password = self.client("secretsmanager").get_random_password(**options)["RandomPassword"]
        if "SecretStringTemplate" not in spec:
            return password
        document = json.loads(spec["SecretStringTemplate"])
        document[spec["GenerateStringKey"]] = password
        return json.dumps(document)

    def _event_bus(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        arn = self.client("events").create_event_bus(Name=props["Name"])["EventBusArn"]
        return {"Ref": props["Name"], "Name": props["Name"], "Arn": arn}

    def _schedule_group(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        arn = self.client("scheduler").create_schedule_group(Name=props["Name"])["ScheduleGroupArn"]
        return {"Ref": props["Name"], "Arn": arn}

    def _queue(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        sqs = self.client("sqs")
        name = props.get("QueueName") or f"{logical_id}-{self.account.run_id}"
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return {"Ref": url, "QueueUrl": url, "Arn": arn, "QueueName": name}

    def _configuration_set(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        self.client("sesv2").create_configuration_set(ConfigurationSetName=props["Name"])
        return {"Ref": props["Name"]}

    def _email_identity(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        identity = props["EmailIdentity"]
        self.client("sesv2").create_email_identity(EmailIdentity=identity)
        return {"Ref": identity}

    def _function(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        """Not made in moto: the function runs here, under the runtime API, with this ARN."""
        name = props["FunctionName"]
        return {"Ref": name, "Arn": self._arn("lambda", f"function:{name}")}

    def _role(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        name = props.get("RoleName", logical_id)
        return {"Ref": name, "Arn": self._arn("iam", f"role/{name}", region=False), "RoleId": f"AROA{logical_id.upper()[:17]}"}

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        """A bucket in moto with the template's name (or a unique one), versioning and CORS rules
        (their origins resolved, so the app's origin is `https://<app domain>`)."""
        s3 = self.client("s3")
        name = props.get("BucketName") or f"{logical_id.lower()[:40]}-{self.account.run_id}"
        created: dict[str, Any] = {"Bucket": name}
        if self.account.region != "us-east-1":
            created["CreateBucketConfiguration"] = {"LocationConstraint": self.account.region}
        s3.create_bucket(**created)
        if props.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        rules = props.get("CorsConfiguration", {}).get("CorsRules", [])
        if rules:
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [self._cors_rule(logical_id, r) for r in rules]})
        return {
            "Ref": name,
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{self.account.region}.amazonaws.com",
        }

    def _cors_rule(self, logical_id: str, rule: dict[str, Any]) -> dict[str, Any]:
        """A CloudFormation CorsRule as S3's PutBucketCors takes it."""
        unknown = set(rule) - {"AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders", "Id", "MaxAge"}
        if unknown:
            raise UnknownReference(f"{logical_id}.CorsConfiguration: unhandled fields {sorted(unknown)}")
        out: dict[str, Any] = {
            "AllowedMethods": rule["AllowedMethods"],
            "AllowedOrigins": [self.resolve(o, f"{logical_id} CORS origin") for o in rule["AllowedOrigins"]],
        }
        for key in ("AllowedHeaders", "ExposedHeaders", "ID"):
            source = "Id" if key == "ID" else key
            if source in rule:
                out[key] = rule[source]
        if "MaxAge" in rule:
            out["MaxAgeSeconds"] = int(rule["MaxAge"])
        return out

    def _distribution(self, logical_id: str, props: dict[str, Any]) -> Attributes:
        return {"Ref": "E2ELOCALDIST", "Id": "E2ELOCALDIST", "DomainName": self.app_domain}
