"""Warm dispatch, side by side in one process: a bare Lambda handler, Coworks, Chalice and
Powertools answering the same REST API events. Prints microseconds per call and the ratio to
the bare handler. Target: Coworks at most 4x the bare handler.

    .venv/bin/python bench/dispatch.py [--number 20000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from apps import BUILDERS, events  # noqa: E402


class Context:
    function_name = "items"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:items"
    memory_limit_in_mb = 128
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/items"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30000


def measure(number: int, repeat: int) -> list[dict[str, object]]:
    """Best time per call of each (framework, event); the repeats go round-robin over all
    of them, so that a burst of machine noise hits every framework rather than one."""
    context = Context()
    evts = events()
    cases = []
    for name, build in BUILDERS.items():
        handler = build()
        for kind, event in evts.items():
            result = handler(event, context)
            assert result["statusCode"] == 200, (name, kind, result)
            body = json.loads(result["body"])
            assert body in ({"id": 42}, {"name": "pen", "qty": 3}), (name, kind, body)
            cases.append((name, kind, timeit.Timer(lambda h=handler, e=event: h(e, context))))
    best = {(name, kind): float("inf") for name, kind, _ in cases}
    for _ in range(repeat):
        for name, kind, timer in cases:
            best[name, kind] = min(best[name, kind], timer.timeit(number) / number)
    return [{"framework": name, "event": kind, "us": seconds * 1e6} for (name, kind), seconds in best.items()]


def report(rows: list[dict[str, object]]) -> str:
    bare = {r["event"]: r["us"] for r in rows if r["framework"] == "bare handler"}
    lines = ["| framework | GET /items/{item_id} µs | x bare | POST /items µs | x bare |", "|---|---|---|---|---|"]
    frameworks = list(dict.fromkeys(r["framework"] for r in rows))
    for fw in frameworks:
        cells = [str(fw)]
        for kind in ("get", "post"):
            us = next(float(r["us"]) for r in rows if r["framework"] == fw and r["event"] == kind)  # type: ignore[arg-type]
            cells += [f"{us:.2f}", f"{us / float(bare[kind]):.1f}x"]  # type: ignore[arg-type]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rows = measure(args.number, args.repeat)
    print(report(rows))
    coworks = {r["event"]: float(r["us"]) for r in rows if r["framework"] == "coworks"}  # type: ignore[arg-type]
    bare = {r["event"]: float(r["us"]) for r in rows if r["framework"] == "bare handler"}  # type: ignore[arg-type]
    worst = max(coworks[k] / bare[k] for k in coworks)
    verdict = "met" if worst <= 4 else "NOT met"
    print(f"\nCoworks worst ratio to the bare handler: {worst:.1f}x (target <= 4x): {verdict}")


if __name__ == "__main__":
    main()
