"""``Cloud``: what every cloud answers, whether it is AWS (``AwsCloud``) or the embedded local
cloud (``LocalCloud``). The widgets, the command line and user code type against this, so a
fake cloud in a test (or another backend) needs only these methods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .deploy.deployments import Deployment, WorkflowDeployment
    from .deploy.executor import Progress
    from .deploy.plan import Plan
    from .deploy.status import Status
    from .executions import CloudExecution
    from .packaging.settings import Secret


@runtime_checkable
class Cloud(Protocol):
    """Deploy, call, read logs and run workflows on one account and region."""

    region: str

    @property
    def account(self) -> str: ...

    def api_url(self, api_id: str, stage: str) -> str: ...

    def deploy(self, target: Any, stage: str = "dev", settings: Mapping[str, str | Secret] | None = None, *,
               pip_options: tuple[str, ...] = ()) -> Deployment: ...

    def destroy_plan(self, service: Any, stage: str = "dev") -> Plan: ...

    def destroy(self, service: Any, stage: str = "dev", progress: Progress | None = None) -> Plan: ...

    def status(self, service: Any = None) -> Status: ...

    def api_key(self, service: Any, name: str, stage: str = "dev") -> str: ...

    def invoke(self, service: Any, stage: str = "dev", path: str = "/", method: str = "GET", *,
               params: Mapping[str, Any] | None = None, body: Any = None, response: bool = False) -> Any: ...

    def logs(self, target: Any, since: Any = "15m", until: Any = None, pattern: str | None = None,
             follow: bool = False, *, stage: str = "dev", interval: float = 2.0) -> Any: ...

    def deploy_workflow(self, workflow: Any, stage: str = "dev", *,
                        services: Mapping[str, Any] | Iterable[Any] | None = None, triggers: Iterable[Any] = (),
                        log_level: str = "ALL", retention: int = 30, type: str = "STANDARD") -> WorkflowDeployment: ...

    def destroy_workflow_plan(self, workflow: Any, stage: str = "dev") -> Plan: ...

    def destroy_workflow(self, workflow: Any, stage: str = "dev", progress: Progress | None = None) -> Plan: ...

    def state_machine_arn(self, workflow: Any, stage: str = "dev") -> str: ...

    def start_execution(self, workflow: Any, input: Any = None, *, stage: str = "dev",
                        name: str | None = None) -> str: ...

    def describe_execution(self, execution_arn: str) -> CloudExecution: ...

    def stop_execution(self, execution_arn: str, error: str | None = None,
                       cause: str | None = None) -> CloudExecution: ...

    def list_executions(self, workflow: Any, stage: str = "dev", status: str | None = None) -> list[CloudExecution]: ...

    def execution_history(self, execution_arn: str) -> list[dict[str, Any]]: ...

    def wait_execution(self, execution_arn: str, timeout: float = 300.0, interval: float = 1.0) -> CloudExecution: ...
