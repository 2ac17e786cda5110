"""Cold start, side by side: in fresh interpreters, the time to import the framework, build the
service and answer its first request, for Coworks, Chalice and Powertools (and a bare handler
as the floor). Interpreter start-up is the same for all and is left out. Prints the median of
``--runs`` fresh processes per framework, interleaved so that machine noise hits all alike.
Target: Coworks at most 0.7x Chalice.

    .venv/bin/python bench/coldstart.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

PROBE = """
import sys, time
sys.path.insert(0, {here!r})
event = {event!r}
t0 = time.perf_counter()
import apps
handler = apps.BUILDERS[{name!r}]()
result = handler(event, None)
t1 = time.perf_counter()
assert result["statusCode"] == 200, result
print(t1 - t0)
"""


def fresh(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    names = ["bare handler", "coworks", "chalice", "powertools"]
    # pip compiles installed packages to bytecode; an editable checkout (and a machine with
    # PYTHONDONTWRITEBYTECODE) would not, and would compile Coworks on every start. Compile it
    # as the deploy package does, so all frameworks start from bytecode.
    import compileall

    compileall.compile_dir(str(HERE.parent / "coworks" / "runtime"), quiet=1)
    compileall.compile_file(str(HERE.parent / "coworks" / "__init__.py"), quiet=1)
    sys.path.insert(0, str(HERE))
    from apps import events

    event = events()["get"]
    samples: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(args.runs):
        for name in names:
            samples[name].append(fresh(PROBE.format(here=str(HERE), name=name, event=event)))
    medians = {n: statistics.median(v) * 1000 for n, v in samples.items()}
    print(f"median of {args.runs} fresh interpreters each")
    print("| framework | import + build + first request (ms) | x Chalice |")
    print("|---|---|---|")
    for name in names:
        print(f"| {name} | {medians[name]:.1f} | {medians[name] / medians['chalice']:.2f}x |")
    ratio = medians["coworks"] / medians["chalice"]
    print(f"\nCoworks / Chalice: {ratio:.2f}x (target <= 0.7x): {'met' if ratio <= 0.7 else 'NOT met'}")


if __name__ == "__main__":
    main()
