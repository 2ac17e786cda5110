"""What the Terraform and CloudFormation exports share: the model they are written from, and the
resources of the plan each exported resource stands for.

An export is written from the very model a deploy plans (``models``), built once with tokens in
place of the account, the region and the stage; each syntax turns the tokens into its own
expressions (Terraform's data sources and ``var.stage``, CloudFormation's pseudo parameters and
``Stage`` parameter). So the names, tags, policies and settings are a deploy's, and every exported
resource records which of the plan's resources it stands for (``stands_for``), which a test
compares with a plan of the same model, both ways.

The environment is the stage's as ``--stage`` reads it (``.env``, ``.env.<stage>``, the class's):
export once per stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import Model, ServiceModel, WorkflowModel, build_model, build_workflow_model
from .names import check_stage, function_name, machine_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..packaging.package import Package

ACCOUNT, REGION, STAGE = "@@account@@", "@@region@@", "STAGExTOKEN"
PACKAGE = "service.zip"


@dataclass(frozen=True)
class Exported:
    """One resource of an export: its logical name, type and properties in the export's syntax,
    and the plan resources (kind, name) it stands for."""

    name: str
    type: str
    properties: dict[str, Any]
    stands_for: tuple[tuple[str, str], ...]
    extra: dict[str, Any] = field(default_factory=dict)  # DependsOn and the like


@dataclass(frozen=True)
class Export:
    """What an export writes into its folder: file name -> bytes, and its resources."""

    files: dict[str, bytes]
    resources: tuple[Exported, ...]
    model: Model

    def write(self, folder: str | Path) -> list[Path]:
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in sorted(self.files.items()):
            (target / name).write_bytes(data)
            written.append(target / name)
        return written


def service_model(package: Package, stage: str, settings: dict[str, Any] | None = None) -> ServiceModel:
    """The model a deploy of ``package`` at ``stage`` plans, with account, region and stage as tokens."""
    from ..packaging.settings import stage_environment

    function_name(package.name, check_stage(stage))  # the real names must be valid too
    environment = stage_environment(stage, package.root, package.declarations.variables, settings)
    return build_model(package, STAGE, environment, account=ACCOUNT, region=REGION)


def workflow_model(workflow: Any, stage: str, **options: Any) -> WorkflowModel:
    """The model a deploy of ``workflow`` at ``stage`` plans, with account, region and stage as tokens."""
    machine_name(workflow.name, check_stage(stage))
    return build_workflow_model(workflow, STAGE, account=ACCOUNT, region=REGION, **options)


def tokens_left(document: Any) -> list[str]:
    """Tokens a syntax failed to turn into expressions (a test asserts there are none)."""
    text = json.dumps(document)
    return [t for t in (ACCOUNT, REGION, STAGE) if t in text]


def logical(name: str) -> str:
    """A name made of letters and digits only (CloudFormation's logical ids, Terraform's labels)."""
    cleaned = "".join(part[:1].upper() + part[1:] for part in
                      "".join(c if c.isalnum() else " " for c in name.replace(STAGE, "")).split())
    return cleaned or "Resource"


def unique(names: Iterable[str]) -> list[str]:
    """The names, each made unique by a number where two are alike."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if not count else f"{name}{count + 1}")
    return out

