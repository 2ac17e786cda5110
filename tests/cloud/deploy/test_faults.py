"""Fault injection: each mutating AWS call of an apply fails in turn (a botocore before-call hook
raises, moto is untouched). The previous version keeps serving, nothing untagged is left,
the next apply converges, and destroy after a partial apply leaves nothing tagged."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from coworks.cloud import CloudError
from tests.support import SAMPLE, Calls, cell, moto_cloud, tagged_for, untagged

V1 = SAMPLE + '''
    @schedule("rate(1 hour)")
    def hourly(self):
        return None

    def auth(self, token):
        return True
'''
V2 = V1.replace('"ready"', '"steady"').replace(
    '"""Stock of items."""',
    'memory = 256\n    log_retention = 14\n    permissions = [("s3:GetObject", "arn:aws:s3:::stock/*")]',
) + '''
    @entry
    def get_stock(self):
        return 0

    @schedule("rate(1 day)")
    def daily(self):
        return None
'''


class FailAt:
    """Raise an AWS-looking error at the n-th mutating call (0-based)."""

    def __init__(self, n: int) -> None:
        self.n, self.seen = n, 0

    def __call__(self, model: Any = None, **_: Any) -> None:
        from coworks.cloud.clients import is_mutating

        if not is_mutating(model.name):
            return
        self.seen += 1
        if self.seen - 1 == self.n:
            raise ClientError({"Error": {"Code": "InjectedFault", "Message": "injected"}}, model.name)


def mutating_calls_of(deploy: Any) -> list[str]:
    from moto import mock_aws

    with mock_aws():
        cloud = moto_cloud()
        deploy(cloud, None)
        calls = Calls()
        cloud.clients.watch(calls)
        deploy(cloud, "v2")
        return calls.mutating


def first(cloud: Any, phase: str | None) -> None:
    if phase == "v2":
        cloud.deploy(cell(V1, "inventory")).apply()


def update(cloud: Any, phase: str | None) -> None:
    cloud.deploy(cell(V2 if phase == "v2" else V1, "inventory")).apply()


UPDATE_CALLS = mutating_calls_of(update)
FIRST_CALLS = mutating_calls_of(first)


def test_the_update_makes_many_calls() -> None:
    assert len(UPDATE_CALLS) >= 10 and UPDATE_CALLS[-1] == "UpdateAlias"
    assert "UpdateFunctionCode" in UPDATE_CALLS and "PutRule" in UPDATE_CALLS and "CreateRoute" in UPDATE_CALLS


@pytest.mark.parametrize("n", range(len(UPDATE_CALLS)), ids=UPDATE_CALLS)
def test_failed_update_keeps_the_previous_version_serving_then_converges(aws: Any, n: int) -> None:
    v1 = aws.deploy(cell(V1, "inventory"))
    v1.apply()
    fault = FailAt(n)
    aws.clients.watch(fault)
    with pytest.raises(CloudError) as caught:
        aws.deploy(cell(V2, "inventory")).apply()
    aws.clients.unwatch(fault)
    assert caught.value.code == "InjectedFault"
    lam = aws.session.client("lambda")
    assert lam.get_alias(FunctionName="inventory-dev", Name="dev")["FunctionVersion"] == "1"
    served = lam.get_function_configuration(FunctionName="inventory-dev", Qualifier="dev")
    assert served["CodeSha256"] == v1.package.code_sha256
    assert untagged(aws.session) == []

    v2 = aws.deploy(cell(V2, "inventory"))
    v2.apply()
    assert v2.plan().is_empty
    assert lam.get_function_configuration(FunctionName="inventory-dev", Qualifier="dev")["CodeSha256"] == (
        v2.package.code_sha256)


@pytest.mark.parametrize("n", range(len(FIRST_CALLS)), ids=FIRST_CALLS)
def test_failed_first_deploy_leaves_only_tagged_resources_and_destroys_clean(aws: Any, n: int) -> None:
    fault = FailAt(n)
    aws.clients.watch(fault)
    with pytest.raises(CloudError):
        aws.deploy(cell(V1, "inventory")).apply()
    aws.clients.unwatch(fault)
    assert untagged(aws.session) == []
    if n % 2:  # half the cases converge first, the other half destroy the partial deploy directly
        deployment = aws.deploy(cell(V1, "inventory"))
        deployment.apply()
        assert deployment.plan().is_empty
    aws.destroy("inventory", "dev")
    assert tagged_for(aws.session, "inventory", "dev") == []
    assert aws.destroy_plan("inventory", "dev").actions == ()
