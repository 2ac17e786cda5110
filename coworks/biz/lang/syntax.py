"""Checks of what is written inside fields: JSONPaths, payload templates, intrinsic function
calls, JSONata expressions and variable names. Mixed into the validation checker.
"""

from __future__ import annotations

import re
from typing import Any

from coworks.biz.errors import IntrinsicSyntaxError, JsonataSyntaxError, PathSyntaxError
from coworks.biz.lang.intrinsics import parse_intrinsic
from coworks.biz.lang.jsonata import compile_jsonata, inner, jsonata_strings
from coworks.biz.lang.paths import compile_path

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SyntaxChecks:
    """Field-content checks; ``add(path, message)`` records a problem."""

    def add(self, path: str, message: str) -> None:
        raise NotImplementedError

    def jsonpath_fields(self, data: dict[str, Any], path: str, kind: str) -> None:
        for key in ("InputPath", "OutputPath"):
            if data.get(key) is not None:
                self.path_field(data[key], f"{path}.{key}", reference=False)
        if data.get("ResultPath") is not None:
            self.path_field(data["ResultPath"], f"{path}.ResultPath", reference=True)
        for key in (
            "SecondsPath",
            "TimestampPath",
            "ErrorPath",
            "CausePath",
            "TimeoutSecondsPath",
            "HeartbeatSecondsPath",
            "MaxConcurrencyPath",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath",
        ):
            if key in data:
                value = data[key]
                if key in ("ErrorPath", "CausePath") and isinstance(value, str) and value.startswith("States."):
                    self.intrinsic(value, f"{path}.{key}")
                else:
                    self.path_field(value, f"{path}.{key}", reference=True)
        for key in ("Parameters", "ResultSelector", "ItemSelector"):
            if key in data:
                self.template(data[key], f"{path}.{key}")

    def jsonata_fields(self, data: dict[str, Any], path: str) -> None:
        for key, value in data.items():
            if key in ("Choices", "Branches", "ItemProcessor", "Iterator", "Catch", "Retry", "Assign"):
                continue
            for text in jsonata_strings(value):
                self.jsonata(text, f"{path}.{key}")

    def assign(self, value: Any, path: str, ql: str) -> None:
        if not isinstance(value, dict):
            self.add(path, "must be an object of variable names to values.")
            return
        for key in value:
            name = key[:-2] if ql == "JSONPath" and key.endswith(".$") else key
            if not _VARIABLE.match(name):
                self.add(f"{path}.{key}", "is not a valid variable name; use letters, digits and _.")
            elif name == "states":
                self.add(f"{path}.{key}", "is reserved ($states holds the input, result and context); rename it.")
        if ql == "JSONPath":
            self.template(value, path)
        else:
            for text in jsonata_strings(value):
                self.jsonata(text, path)

    def template(self, value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and key.endswith(".$"):
                    if isinstance(item, str) and item.startswith("States."):
                        self.intrinsic(item, f"{path}.{key}")
                    else:
                        self.path_field(item, f"{path}.{key}", reference=False)
                else:
                    self.template(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.template(item, f"{path}[{i}]")

    def path_field(self, value: Any, path: str, reference: bool) -> None:
        try:
            compiled = compile_path(value)
        except PathSyntaxError as exc:
            self.add(path, f"is not a valid JSONPath ({exc}); write it like $.field or $.list[0].")
            return
        if reference and not compiled.simple:
            self.add(path, f"must be a reference path to one node (like $.field), not {value!r}.")
        elif reference and path.endswith("ResultPath") and compiled.root != "$":
            self.add(path, f"must point into the state input (start with $. or be $), not {value!r}.")

    def intrinsic(self, value: str, path: str) -> None:
        try:
            parse_intrinsic(value)
        except IntrinsicSyntaxError as exc:
            self.add(path, f"has a bad intrinsic function call: {exc}.")

    def jsonata(self, value: str, path: str) -> None:
        try:
            compile_jsonata(inner(value))
        except JsonataSyntaxError as exc:
            self.add(path, f"is not valid JSONata ({exc}); fix the expression.")
