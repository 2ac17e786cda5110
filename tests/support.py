"""What tests of several folders share: sample services (as notebook cells, module files and
zips), counting AWS calls, reading what a cloud holds and its tags. Fixtures built on these are
in tests/conftest.py; a folder's own conftest holds only what that folder alone uses."""

from __future__ import annotations

import functools
import io
import itertools
import linecache
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from coworks.cloud.deploy.names import TAG_MANAGED, TAG_SERVICE, TAG_STAGE

ROOT = Path(__file__).resolve().parents[1]
#: Modules the tests import by name (``from sample_flow import flow``), as a user's project would.
SAMPLES = Path(__file__).parent / "samples"

#: The input of the sample workflow's three orders (503 has no stock: its task fails).
ORDERS = {"orders": [{"id": 3}, {"id": 7}, {"id": 503}]}

SAMPLE = '''
from coworks import TechMicroService, entry, schedule

class Inventory(TechMicroService):
    """Stock of items."""

    @entry
    def get(self):
        return "ready"

    @entry
    def get_item(self, item_id: int):
        return {"id": item_id}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201
'''

#: A service with an authorizer, printing and failing: the data plane's tests run its zip.
SERVICE = '''
import os
from coworks import TechMicroService, entry, tokens_equal


class Inventory(TechMicroService):
    """Stock of items."""

    def auth(self, token):
        return tokens_equal(token, os.environ.get("TOKEN", "letmein"))

    @entry(no_auth=True)
    def get(self):
        return "ready"

    @entry
    def get_item(self, item_id: int):
        print(f"looking up {item_id}")
        return {"id": item_id}

    @entry
    def post_item(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}, 201

    @entry
    def get_fail(self):
        raise RuntimeError("boom")


app = Inventory()
'''

#: A service that answers with what the local cloud gives it, deployed from a module file.
PROBE = '''
import os
import time

from coworks import TechMicroService, entry


class Probe(TechMicroService):
    """Answers with what the local cloud gives it."""

    timeout = 1

    @entry
    def get_pid(self):
        return {"pid": os.getpid(), "version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"]}

    @entry
    def get_echo(self, n: int, *, tag: str = ""):
        print(f"echo {n} {tag}")
        return {"n": n, "tag": tag}

    @entry
    def get_environment(self):
        return {"endpoint": os.environ.get("AWS_ENDPOINT_URL", ""), "path": os.environ.get("PATH", "")}

    @entry
    def get_sleep(self):
        print("going to sleep")
        time.sleep(5)
        return "woke up"

    @entry
    def get_boom(self):
        print('{"level": "ERROR", "what": "about to fail"}')
        raise ValueError("kaboom")


app = Probe("probe")
'''

_cells = itertools.count(1)
_modules = itertools.count(1)


def cell(code: str, name: str | None = None) -> Any:
    """Run ``code`` the way IPython runs a cell (source registered in linecache) and return ``app``.

    ``name`` names the instance; without it the code must create ``app`` itself.
    """
    filename = f"<ipython-input-{next(_cells)}-cloudtest>"
    if name is not None:
        cls = next(line.split()[1].split("(")[0] for line in code.splitlines() if line.startswith("class "))
        code = code + f"\napp = {cls}({name!r})\n"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, filename, "exec"), namespace)
    return namespace["app"]


def write_module(directory: Path, source: str = PROBE) -> str:
    """The source as an importable module in ``directory``; its ``module:app`` string."""
    name = f"probe_{next(_modules)}"
    (directory / f"{name}.py").write_text(source)
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return f"{name}:app"


def service_zip(source: str = SERVICE) -> bytes:
    """The service with the Coworks runtime, as the deploy package holds them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(ROOT / "coworks" / "__init__.py", "coworks/__init__.py")
        for path in sorted((ROOT / "coworks" / "runtime").rglob("*.py")):
            archive.write(path, str(path.relative_to(ROOT)))
        archive.writestr("inventory.py", source)
    return buffer.getvalue()


class Calls:
    """Counts AWS calls by operation name, via botocore's before-call event."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.names.append(model.name)

    @property
    def mutating(self) -> list[str]:
        from coworks.cloud.clients import is_mutating

        return [n for n in self.names if is_mutating(n)]


@functools.cache
def shared_session() -> Any:
    """One boto3 session per test process: it keeps the service models it has loaded (about a
    fifth of a second per service), and moto intercepts its clients like any other."""
    import boto3

    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def moto_cloud() -> Any:
    """An AwsCloud on the moto of this process (inside ``mock_aws``); time never passes for real."""
    from coworks.cloud import AwsCloud

    return AwsCloud(region="us-east-1", session=shared_session(), sleep=lambda s: None)


def holdings(session: Any, endpoint_url: str | None = None) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, name, tags) for every role, log group, function, HTTP API and stage, state machine and rule."""
    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url)

    found: list[tuple[str, str, dict[str, str]]] = []
    iam = client("iam")
    for role in iam.list_roles()["Roles"]:
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        found.append(("role", role["RoleName"], tags))
    logs = client("logs")
    for group in logs.describe_log_groups()["logGroups"]:
        found.append(("log group", group["logGroupName"],
                      logs.list_tags_log_group(logGroupName=group["logGroupName"])["tags"]))
    lam = client("lambda")
    for function in lam.list_functions()["Functions"]:
        found.append(("function", function["FunctionName"], lam.list_tags(Resource=function["FunctionArn"])["Tags"]))
    api = client("apigatewayv2")
    for item in api.get_apis()["Items"]:
        found.append(("api", item["Name"], item.get("Tags", {})))
        for stage in api.get_stages(ApiId=item["ApiId"])["Items"]:
            found.append(("api stage", f"{item['Name']}/{stage['StageName']}", stage.get("Tags", {})))
    states = client("stepfunctions")
    for machine in states.list_state_machines()["stateMachines"]:
        tags = states.list_tags_for_resource(resourceArn=machine["stateMachineArn"])["tags"]
        found.append(("state machine", machine["name"], {t["key"]: t["value"] for t in tags}))
    events = client("events")
    for rule in events.list_rules()["Rules"]:
        tags = {t["Key"]: t["Value"] for t in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]}
        found.append(("rule", rule["Name"], tags))
    return found


def tagged_for(session: Any, name: str, stage: str, endpoint_url: str | None = None) -> list[tuple[str, str]]:
    """(kind, name) of everything Coworks tagged for ``name`` at ``stage``, sorted."""
    return sorted((kind, item) for kind, item, tags in holdings(session, endpoint_url)
                  if tags.get(TAG_SERVICE) == name and tags.get(TAG_STAGE) == stage and tags.get(TAG_MANAGED) == "true")


def untagged(session: Any, endpoint_url: str | None = None, named: str = "") -> list[tuple[str, str]]:
    """(kind, name) of everything (whose name holds ``named``: a process's local cloud holds what
    other tests made too) that lacks one of the three Coworks tags."""
    return [(kind, name) for kind, name, tags in holdings(session, endpoint_url) if named in name
            and (tags.get(TAG_MANAGED) != "true" or not tags.get(TAG_SERVICE) or not tags.get(TAG_STAGE))]


def poll(check: Any, polls: int = 400) -> Any:
    """The first truthy answer of ``check``, polled every 50 ms (20 s at most): for work a local
    cloud does in its own threads (an S3 event delivered, an execution finishing)."""
    for _ in range(polls):
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{check} never held")


def remove_named(client: Any, prefixes: tuple[str, ...]) -> None:
    """Delete what a module made with these name prefixes from a local cloud: moto's backends are
    the process's, and later tests count what a cloud holds. ``client(service)`` gives a client."""
    sfn, lam, iam, logs, apis, s3 = (client(n) for n in ("stepfunctions", "lambda", "iam", "logs", "apigatewayv2",
                                                         "s3"))
    for machine in sfn.list_state_machines()["stateMachines"]:
        if machine["name"].startswith(prefixes):
            sfn.delete_state_machine(stateMachineArn=machine["stateMachineArn"])
    for function in lam.list_functions()["Functions"]:
        if function["FunctionName"].startswith(prefixes):
            lam.delete_function(FunctionName=function["FunctionName"])
    for role in iam.list_roles()["Roles"]:
        if role["RoleName"].startswith(prefixes):
            iam.delete_role(RoleName=role["RoleName"])
    for group in logs.describe_log_groups()["logGroups"]:
        if group["logGroupName"].removeprefix("/aws/lambda/").startswith(prefixes):
            logs.delete_log_group(logGroupName=group["logGroupName"])
    for api in apis.get_apis()["Items"]:
        if api["Name"].startswith(prefixes):
            apis.delete_api(ApiId=api["ApiId"])
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"].startswith(prefixes):
            for item in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
                s3.delete_object(Bucket=bucket["Name"], Key=item["Key"])
            s3.delete_bucket(Bucket=bucket["Name"])


# -- raw HTTP: what a hostile or careless client sends, byte for byte ------------------------


def raw_answers(port: int, data: bytes, count: int = 1, timeout: float = 10.0) -> list[tuple[int, dict[str, str],
                                                                                              bytes]]:
    """Send ``data`` on one new connection to 127.0.0.1:``port`` and read ``count`` answers in order
    (status, headers with lower-cased names, body), fewer when the server closes first."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_answers(sock.makefile("rb"), count)


def read_answers(stream: Any, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """Up to ``count`` answers framed by Content-Length from a binary stream (interim 1xx skipped)."""
    found: list[tuple[int, dict[str, str], bytes]] = []
    while len(found) < count:
        line = stream.readline()
        if not line:
            break
        status = int(line.split()[1])
        headers: dict[str, str] = {}
        while (field := stream.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = field.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status < 200:
            continue
        found.append((status, headers, stream.read(int(headers.get("content-length", "0")))))
    return found


def closed_by_server(sock: Any, timeout: float = 10.0) -> bytes:
    """Everything the server sends on ``sock`` until it closes it (an AssertionError after ``timeout``)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        raise AssertionError(f"the server kept the connection open; it sent {data[:200]!r}") from None
    except ConnectionResetError:
        pass
    return data


#: A service whose entries take their time or call the local cloud back (its boto3 reaches the endpoint).
SLOW = '''
import time
from coworks import TechMicroService, entry


class Slow(TechMicroService):
    @entry
    def get_sleep(self, seconds: float):
        time.sleep(seconds)
        return {"slept": seconds}

    @entry
    def post_echo(self, *, text: str):
        return {"size": len(text)}

    @entry
    def get_functions(self):
        import boto3

        return sorted(f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"])


app = Slow()
'''

ROLE_POLICY = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
               '"lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')


def deploy_by_hand(client: Any, name: str, code: bytes, *, handler: str = "inventory.app", timeout: int = 30,
                   reserved: int | None = None, url: str = "") -> str:
    """A function (version 1, alias ``dev``) behind an HTTP API's ``ANY /{proxy+}`` route, made with
    boto3 through a front door; the stage's URL under ``url`` (the front door's)."""
    iam = client("iam")
    try:
        role = iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=ROLE_POLICY)["Role"]["Arn"]
    lam = client("lambda")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=role, Handler=handler,
                        Code={"ZipFile": code}, Timeout=timeout)
    if reserved is not None:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = lam.create_alias(FunctionName=name, Name="dev", FunctionVersion=version)["AliasArn"]
    gateway = client("apigatewayv2")
    api = gateway.create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    integration = gateway.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=alias,
                                             PayloadFormatVersion="2.0")["IntegrationId"]
    gateway.create_route(ApiId=api, RouteKey="ANY /{proxy+}", Target=f"integrations/{integration}")
    gateway.create_stage(ApiId=api, StageName="dev")
    return f"{url}/_aws/execute-api/{api}/dev"
