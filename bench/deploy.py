"""Deploy, measured against the embedded moto server (``LocalCloud``): wall time and AWS calls
(all / mutating, counted with botocore's before-call event) for a first deploy, an unchanged
re-deploy, a one-line code change and a destroy; and the zip's build time and size beside
Chalice's runtime zipped the same way (the anchor: about 90 KB on disk).
Targets: unchanged re-deploy with 0 mutating calls in under 0.5 s; the zip under 100 KB.

    .venv/bin/python bench/deploy.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SAMPLE = '''
from coworks import TechMicroService, entry


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


app = Inventory()
'''


class Counter:
    """Counts AWS calls made through the cloud's clients."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, model: Any = None, **_: Any) -> None:
        self.names.append(model.name)

    def take(self) -> tuple[int, int]:
        from coworks.cloud.clients import is_mutating

        names, self.names = self.names, []
        return len(names), sum(is_mutating(n) for n in names)


def write_module(folder: Path, index: int, code: str) -> str:
    name = f"bench_inventory_{index}"
    (folder / f"{name}.py").write_text(code)
    return f"{name}:app"


def chalice_runtime_size() -> tuple[int, int]:
    """Chalice's runtime (what every Chalice Lambda ships) zipped like ours, and unzipped."""
    import chalice

    from coworks.cloud.packaging.package import zip_files

    root = Path(chalice.__file__).parent
    files = {f"chalice/{name}": (root / name).read_bytes() for name in ("__init__.py", "app.py")}
    return len(zip_files(files)), sum(len(d) for d in files.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each step (median shown)")
    args = parser.parse_args()

    from coworks.cloud import LocalCloud, build_package

    folder = Path(tempfile.mkdtemp(prefix="cws-bench-"))
    sys.path.insert(0, str(folder))
    rows: list[tuple[str, float, str, str]] = []

    builds, package = [], None
    target = write_module(folder, 999, SAMPLE)
    for _ in range(max(args.runs, 5)):
        started = time.perf_counter()
        package = build_package(target)
        builds.append(time.perf_counter() - started)
    assert package is not None
    chalice, chalice_unzipped = chalice_runtime_size()

    steps: dict[str, list[tuple[float, int, int]]] = {}
    counter = Counter()
    with LocalCloud() as cloud:
        cloud.clients.watch(counter)
        cloud.account  # noqa: B018 - the one-time STS call, outside the measurements
        counter.take()
        for run in range(args.runs):
            service = f"bench-{run}"
            for label, code in (("first deploy", SAMPLE), ("unchanged re-deploy", SAMPLE),
                                ("one-line code change", SAMPLE.replace('"ready"', '"steady"'))):
                module = write_module(folder, run, code.replace("Inventory()", f"Inventory({service!r})"))
                sys.modules.pop(module.split(":")[0], None)  # the same module, edited: import it afresh
                started = time.perf_counter()
                cloud.deploy(module).apply()
                steps.setdefault(label, []).append((time.perf_counter() - started, *counter.take()))
            started = time.perf_counter()
            cloud.destroy(service)
            steps.setdefault("destroy", []).append((time.perf_counter() - started, *counter.take()))

    for label, samples in steps.items():
        wall = statistics.median(s[0] for s in samples)
        calls, mutating = samples[0][1], samples[0][2]
        rows.append((label, wall * 1000, f"{calls}", f"{mutating}"))

    print(f"Deploy against the embedded moto server (median of {args.runs}; calls from the first run)")
    print(f"{'step':<24}{'wall ms':>10}{'AWS calls':>12}{'mutating':>10}")
    for label, wall_ms, calls, mutating in rows:
        print(f"{label:<24}{wall_ms:>10.1f}{calls:>12}{mutating:>10}")
    print()
    print(f"{'package':<24}{'build ms':>10}{'zip KB':>12}{'unzipped KB':>13}{'files':>7}")
    print(f"{'coworks sample service':<24}{statistics.median(builds) * 1000:>10.1f}"
          f"{package.size / 1024:>12.1f}{package.unzipped_size / 1024:>13.1f}{len(package.files):>7}")
    print(f"{'chalice runtime alone':<24}{'':>10}{chalice / 1024:>12.1f}{chalice_unzipped / 1024:>13.1f}{2:>7}")
    print(f"ratio coworks/chalice zip: {package.size / chalice:.2f}x")


if __name__ == "__main__":
    main()
