"""Cold start as Lambda runs it, side by side: the deployed zips of the same two-endpoint service
(``GET /items/{item_id}``, ``POST /items``) built by Coworks' packager, by ``chalice package``, and
a bare handler packaged the way Coworks packages (its module and its bytecode), each unpacked into a
read-only folder and answered by fresh interpreters run as Lambda's runtime would (``python -I -S
-B``: no site-packages, no bytecode written) in Lambda's environment variables (so Coworks writes
its access-log line, as deployed), interleaved so that machine noise hits all alike.

Each probe times, inside the fresh interpreter, the import of the handler's module and the first
request answered (interpreter start-up, the same for all, is left out; the whole process's wall time
is printed too). Targets: Coworks at most 0.35x Chalice, and within 2x of the bare handler. The same
Coworks zip without its bytecode runs beside them, to show what shipping bytecode saves.

    .venv/bin/python bench/coldstart.py [--runs 41]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

COWORKS = '''
from coworks import TechMicroService, entry


class Items(TechMicroService):
    """Items in stock."""

    @entry
    def get_items(self, item_id: int):
        return {"id": item_id}

    @entry
    def post_items(self, *, name: str, qty: int = 0):
        return {"name": name, "qty": qty}


app = Items("items")
'''
CHALICE = '''
from chalice import Chalice

app = Chalice(app_name="items")


@app.route("/items/{item_id}")
def get_item(item_id):
    return {"id": int(item_id)}


@app.route("/items", methods=["POST"])
def post_items():
    body = app.current_request.json_body
    return {"name": body["name"], "qty": int(body.get("qty", 0))}
'''
BARE = '''
import json


def handler(event, context):
    if event["httpMethod"] == "GET":
        body = {"id": int(event["pathParameters"]["item_id"])}
    else:
        data = json.loads(event["body"])
        body = {"name": data["name"], "qty": int(data.get("qty", 0))}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body),
            "isBase64Encoded": False}
'''
PROBE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {task!r})
import {module} as module
handler = getattr(module, {attribute!r})
result = handler({event!r}, None)
t1 = time.perf_counter()
assert result["statusCode"] == 200, result
print()
print(t1 - t0)
"""


#: What Lambda's runtime sets that a framework may read (Coworks then writes its access-log line).
LAMBDA_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
                      "AWS_LAMBDA_FUNCTION_NAME": "items-dev", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
                      "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_REGION": "us-east-1", "AWS_EXECUTION_ENV":
                      "AWS_Lambda_python3.11", "LAMBDA_TASK_ROOT": "/var/task"}


def coworks_zip(work: Path) -> tuple[bytes, str]:
    from coworks.cloud.packaging.package import build_package

    project = work / "coworks-project"
    project.mkdir()
    (project / "items.py").write_text(COWORKS)
    sys.path.insert(0, str(project))
    package = build_package("items:app")
    if package.source_only:
        print(f"warning: {package.source_only}")
    return package.data, package.handler


def chalice_zip(work: Path) -> tuple[bytes, str]:
    project = work / "chalice-project"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(CHALICE)
    (project / "requirements.txt").write_text("")
    (project / ".chalice" / "config.json").write_text(json.dumps({
        "version": "2.0", "app_name": "items", "stages": {"dev": {"api_gateway_stage": "api"}}}))
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", str(work / "chalice-out")], cwd=project, check=True,
                   capture_output=True, env={**os.environ, "AWS_DEFAULT_REGION": "us-east-1"})
    return (work / "chalice-out" / "deployment.zip").read_bytes(), "app.app"


def bare_zip() -> tuple[bytes, str]:
    from coworks.cloud.packaging.bytecode import compile_files
    from coworks.cloud.packaging.package import zip_files

    files = {"handler.py": BARE.encode()}
    compiled, _ = compile_files(files, f"{sys.version_info.major}.{sys.version_info.minor}")
    return zip_files({**files, **compiled}), "handler.handler"


def source_only(data: bytes) -> bytes:
    """The same zip without its bytecode: what the package was before it carried any."""
    import io

    from coworks.cloud.packaging.package import zip_files

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return zip_files({n: archive.read(n) for n in archive.namelist() if "__pycache__/" not in n})


def unpack(data: bytes, folder: Path) -> Path:
    """The zip extracted read-only, as Lambda mounts /var/task."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    for path in [*folder.rglob("*"), folder]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return folder


def fresh(code: str) -> tuple[float, float]:
    """(handler import + first request, whole process) in seconds, in a fresh ``python -I -S -B``."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code], capture_output=True, text=True, check=True,
                         env=LAMBDA_ENVIRONMENT)
    return float(out.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from apps import events

    event = events()["get"]
    work = Path(tempfile.mkdtemp(prefix="coldstart-"))
    try:
        coworks = coworks_zip(work)
        built = {"bare handler": bare_zip(), "coworks": coworks, "coworks source only": (source_only(coworks[0]),
                                                                                          coworks[1]),
                 "chalice": chalice_zip(work)}
        probes = {}
        for name, (data, handler) in built.items():
            task = unpack(data, work / name.replace(" ", "-"))
            module, attribute = handler.rsplit(".", 1)
            probes[name] = PROBE.format(task=str(task), module=module, attribute=attribute, event=event)
            print(f"{name}: {len(data) / 1024:.1f} KB zipped, handler {handler}")
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in probes}
        for _ in range(args.runs):
            for name, code in probes.items():
                samples[name].append(fresh(code))
    finally:
        for path in [*work.rglob("*"), work]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(work, ignore_errors=True)
    medians = {n: statistics.median(s[0] for s in v) * 1000 for n, v in samples.items()}
    walls = {n: statistics.median(s[1] for s in v) * 1000 for n, v in samples.items()}
    print(f"\nmedian of {args.runs} fresh `python -I -S -B` per zip, interleaved")
    print("| zip | import + first request (ms) | x Chalice | x bare | whole process (ms) |")
    print("|---|---|---|---|---|")
    for name in probes:
        print(f"| {name} | {medians[name]:.1f} | {medians[name] / medians['chalice']:.2f}x | "
              f"{medians[name] / medians['bare handler']:.2f}x | {walls[name]:.1f} |")
    chalice, bare = medians["coworks"] / medians["chalice"], medians["coworks"] / medians["bare handler"]
    print(f"\nCoworks / Chalice: {chalice:.2f}x (target <= 0.35x): {'met' if chalice <= 0.35 else 'NOT met'}")
    print(f"Coworks / bare handler: {bare:.2f}x (target <= 2x): {'met' if bare <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
