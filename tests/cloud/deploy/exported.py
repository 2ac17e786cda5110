"""What the export tests share: a service and a workflow declaring everything a checker looks at,
and the plan resources a first deploy of the same model makes."""

from __future__ import annotations

from typing import Any

from coworks.biz import Pass, Task, Workflow
from coworks.cloud import build_package
from coworks.cloud.deploy import exports
from coworks.cloud.deploy.models import Model
from coworks.cloud.deploy.names import Names
from coworks.cloud.deploy.planner import plan_deploy
from coworks.cloud.deploy.state import Current
from tests.support import SAMPLE, cell

TOPIC = "arn:aws:sns:us-east-1:123456789012:shop"
TRIGGERS = ("rate(1 hour)", {"source": ["shop"]}, "s3://uploads/incoming/", "sqs:orders", TOPIC)
#: Everything a service may declare that a checker looks at: tracing, retention, VPC, concurrency.
DECLARED = SAMPLE.replace('"""Stock of items."""', '''"""Stock of items."""

    settings = Lambda(memory=256, timeout=20, tracing="Active", log_retention=365, reserved_concurrency=10,
                      subnets=["subnet-0a1b2c3d"], security_groups=["sg-0c2d3e4f"],
                      layers=["arn:aws:lambda:us-east-1:123456789012:layer:pg:3"],
                      environment={"LEVEL": "info"})

    def auth(self, token):
        return token == "letmein"

    @entry(no_auth=True)
    def get_health(self):
        return "ok"

    @schedule("rate(5 minutes)")
    def tick(self):
        return None
''').replace("from coworks import TechMicroService", "from coworks import Lambda, TechMicroService")


def service() -> tuple[Any, Any]:
    """The package and the export model of the declared service, at stage dev."""
    package = build_package(cell(DECLARED, "inventory"))
    return package, exports.service_model(package, "dev")


def workflow(triggers: tuple[Any, ...] = TRIGGERS) -> Any:
    wf = Workflow("orders", Task("Fetch", resource="arn:aws:states:::lambda:invoke",
                                 parameters={"FunctionName": "inventory", "Payload": {}}) >> Pass("Done"))
    return exports.workflow_model(wf, "dev", triggers=triggers, retention=365)


def planned(model: Model) -> set[tuple[str, str]]:
    """(kind, name) of every resource a first deploy of ``model`` plans."""
    plan = plan_deploy(model, Current(Names.of(model.owner, region=exports.REGION, account=exports.ACCOUNT)))
    return {(a.kind, a.name) for a in plan.actions}
