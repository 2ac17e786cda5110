"""Workflow execution and drawing, side by side in one run.

1. Transitions per second of ``run_local`` and of moto's Step Functions interpreter
   (``mock_aws(config={"stepfunctions": {"execute_state_machine": True}})``) on the same
   definitions: a 1,000-state Pass chain, a Map over 1,000 items, and a Choice-heavy loop.
   Target: run_local at least 20x moto.
2. Time to draw a 300-state workflow (``wf.graph()`` rendered to SVG) against ``dot`` alone on
   the same DOT source. Target: under 2x dot.

Both sides are timed from "start execution" to "execution finished with its history", best of
``--repeat``; Coworks' one-off compile/validate is timed separately and reported.

    .venv/bin/python bench/workflow.py [--repeat 3] [--size 1000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

from coworks.biz import Chain, Choice, Fail, Map, Pass, Succeed, Task, Var, Workflow
from coworks.biz.engine.executor import Executor


def pass_chain(size: int) -> tuple[dict[str, Any], Any, int]:
    """A chain of ``size`` Pass states: ``size`` transitions."""
    first = Pass("S0")
    chain = Chain(first, first)
    for i in range(1, size):
        chain = chain >> Pass(f"S{i}", result_path=f"$.s{i % 10}", result=i)
    return Workflow("chain", chain).to_asl(), {"start": True}, size


def map_items(size: int) -> tuple[dict[str, Any], Any, int]:
    """A Map over ``size`` items, one Pass per item: ``size + 1`` transitions."""
    each = Map("Each", Pass("Item", parameters={"v.$": "$$.Map.Item.Value"}), items_path="$.items", max_concurrency=40)
    return Workflow("map", each).to_asl(), {"items": list(range(size))}, size + 1


def choice_loop(size: int) -> tuple[dict[str, Any], Any, int]:
    """A counter loop: Pass (increment) then Choice (test), ``size // 2`` turns: ~``size`` transitions."""
    inc = Pass("Inc", parameters={"n.$": "States.MathAdd($.n, 1)", "limit.$": "$.limit"})
    test = (
        Choice("Test")
        .when((Var("$.n") < 0) | (Var("$.n") == -1), Succeed("Never"))
        .when(Var("$.n") < Var("$.limit"), inc)
        .otherwise(Succeed("Done"))
    )
    inc.next = test
    turns = size // 2
    return Workflow("loop", inc).to_asl(), {"n": 0, "limit": turns}, 2 * turns + 1


def time_local(definition: dict[str, Any], data: Any, repeat: int) -> tuple[float, float]:
    started = time.perf_counter()
    executor = Executor(definition)
    compiled = time.perf_counter() - started
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        ex = executor.run(data)
        best = min(best, time.perf_counter() - started)
        assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    return best, compiled


def time_moto(definition: dict[str, Any], data: Any, repeat: int) -> float:
    import boto3
    from moto import mock_aws
    from moto.stepfunctions.parser.utils import TMP_THREADS

    best = float("inf")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="bench", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/bench"
        )["stateMachineArn"]
        for attempt in range(repeat):
            first = len(TMP_THREADS)
            started = time.perf_counter()
            execution = client.start_execution(stateMachineArn=arn, name=f"run-{attempt}", input=json.dumps(data))[
                "executionArn"
            ]
            TMP_THREADS[first].join()
            status = client.describe_execution(executionArn=execution)["status"]
            client.get_execution_history(executionArn=execution)
            best = min(best, time.perf_counter() - started)
            assert status == "SUCCEEDED", status
    return best


def graph_workflow(size: int) -> Workflow:
    """``size`` states: Tasks in a row, a Choice with two branches every 10 states, a Map at the end."""
    lam = "arn:aws:lambda:us-east-1:123456789012:function:step"
    each = Map("Each", Pass("Item A") >> Pass("Item B") >> Pass("Item C"), items_path="$.items")
    failed = Fail("Failed", error="StepFailed")
    first = Task("Step 0", lam)
    chain = Chain(first, first)
    count = 2
    while count < size - 5:
        if count % 10 == 0:
            join = Task(f"Step {count + 3}", lam)
            big, small = Pass(f"Big {count}", next=join), Pass(f"Small {count}", next=join)
            check = Choice(f"Check {count}").when(Var("$.n") > count, big).otherwise(small)
            chain.tail.next = check
            chain = Chain(chain.head, join)
            count += 4
        else:
            step = Task(f"Step {count}", lam)
            if count % 25 == 1:
                step.catch(["States.ALL"], failed)
            chain = chain >> step
            count += 1
    return Workflow("big", chain >> each >> Succeed("End"))


def chain_workflow(size: int) -> Workflow:
    """``size`` Pass states in a row: the simplest big graph."""
    first = Pass("S0")
    chain = Chain(first, first)
    for i in range(1, size):
        chain = chain >> Pass(f"S{i}")
    return Workflow("chain", chain)


def time_graph(wf: Workflow, repeat: int) -> tuple[float, float, int]:
    states = len(wf.states)
    source = wf.graph().source
    best_dot = best_ours = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True)
        best_dot = min(best_dot, time.perf_counter() - started)
        started = time.perf_counter()
        svg = wf._repr_svg_()
        best_ours = min(best_ours, time.perf_counter() - started)
        assert "<svg" in svg
    return best_ours, best_dot, states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--graph-states", type=int, default=300)
    args = parser.parse_args()
    cases: dict[str, Callable[[int], tuple[dict[str, Any], Any, int]]] = {
        f"Pass chain ({args.size} states)": pass_chain,
        f"Map over {args.size} items": map_items,
        f"Choice loop (~{args.size} transitions)": choice_loop,
    }
    print("| workflow | transitions | run_local tr/s | moto tr/s | x moto | run_local compile ms |")
    print("|---|---|---|---|---|---|")
    for label, build in cases.items():
        definition, data, transitions = build(args.size)
        local, compiled = time_local(definition, data, args.repeat)
        moto = time_moto(definition, data, args.repeat)
        print(
            f"| {label} | {transitions} | {transitions / local:,.0f} | {transitions / moto:,.0f} "
            f"| {moto / local:.1f}x | {compiled * 1e3:.1f} |"
        )
    print()
    print("| drawing | states | wf graph + SVG ms | dot alone ms | x dot |")
    print("|---|---|---|---|---|")
    drawings = {
        "business workflow (Tasks, Choices, Catches, Map)": graph_workflow(args.graph_states),
        "Pass chain": chain_workflow(args.graph_states),
    }
    for label, wf in drawings.items():
        ours, dot, states = time_graph(wf, args.repeat)
        print(f"| {label} | {states} | {ours * 1e3:.1f} | {dot * 1e3:.1f} | {ours / dot:.2f}x |")


if __name__ == "__main__":
    main()
