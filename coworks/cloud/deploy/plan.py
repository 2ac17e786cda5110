"""A plan: the ordered actions that bring AWS to the desired model, as plain data.

The CLI prints it (``str(plan)``), a notebook shows it as a table (``_repr_html_``), the
executor carries it out and tests assert on it. Environment values never appear, only names.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from ..errors import CloudError
from .resources import Resource

Verb = Literal["create", "update", "replace", "delete", "no-op"]
VERBS: tuple[Verb, ...] = ("create", "update", "replace", "delete", "no-op")
R = TypeVar("R", bound=Resource)
_SYMBOLS = {"create": "+", "update": "~", "replace": "±", "delete": "-", "no-op": "="}


@dataclass(frozen=True)
class Action:
    """One step: ``verb`` a ``kind`` of resource called ``name``; ``changes`` says what differs.

    ``resource`` is the desired model object (None for a delete); ``ids`` are the AWS
    identifiers the step needs (route id, integration id, ...).
    """

    verb: Verb
    kind: str
    name: str
    changes: tuple[str, ...] = ()
    resource: Resource | None = field(default=None, repr=False, compare=False)
    ids: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def is_change(self) -> bool:
        return self.verb != "no-op"

    def id(self, key: str) -> str:
        return dict(self.ids)[key]

    def desired(self, kind: type[R]) -> R:
        """The resource this step brings about, as the kind its handler works on."""
        if not isinstance(self.resource, kind):
            raise CloudError(f"The step '{self}' carries no {kind.__name__}: plan the deploy again.",
                             resource=self.name)
        return self.resource

    def __str__(self) -> str:
        detail = f"  ({', '.join(self.changes)})" if self.changes else ""
        return f"{_SYMBOLS[self.verb]} {self.verb:<7} {self.kind:<16} {self.name}{detail}"


@dataclass(frozen=True)
class Plan:
    """What a deploy (or destroy) of ``service`` (a service's or a workflow's name) at ``stage``
    will do, in order."""

    service: str
    stage: str
    region: str
    actions: tuple[Action, ...]
    #: What will likely fail once deployed though the deploy itself succeeds (an import that
    #: neither the package nor the runtime provides), one sentence each.
    warnings: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.is_change)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        counts = {verb: sum(a.verb == verb for a in self.actions) for verb in VERBS}
        parts = [f"{n} to {verb}" for verb, n in counts.items() if n and verb != "no-op"]
        unchanged = f"{counts['no-op']} unchanged"
        if not parts:
            return f"no changes ({unchanged})" if self.actions else "nothing to do"
        return ", ".join([*parts, unchanged] if counts["no-op"] else parts)

    def __str__(self) -> str:
        head = f"Plan for {self.service} at stage {self.stage} in {self.region}: {self.summary()}"
        lines = [head, *(f"  {a}" for a in self.changes), *(f"  ! warning: {w}" for w in self.warnings)]
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.actions)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>".format(
                html.escape(a.verb), html.escape(a.kind), html.escape(a.name), html.escape(", ".join(a.changes))
            )
            for a in self.actions
        )
        return (
            f"<p><b>{html.escape(self.service)}</b> at stage <b>{html.escape(self.stage)}</b> in "
            f"{html.escape(self.region)}: {html.escape(self.summary())}</p>"
            "<table><thead><tr><th>action</th><th>resource</th><th>name</th><th>changes</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            + "".join(f"<p>⚠ {html.escape(w)}</p>" for w in self.warnings)
        )
