"""What durable state costs a mutating call: ``cws cloud`` with and without ``--persist``, side by side.

    .venv/bin/python bench/persist.py            # --number 20 --zip-mb 1

Two real ``cws cloud`` servers (each in its own ``COWORKS_HOME``) take the same calls in turn
through boto3: CreateFunction with a zip of ``--zip-mb`` MB, UpdateFunctionConfiguration,
PutLogEvents, and a read (GetFunction) as the control. With ``--persist`` a mutating call is
answered only once the backend it changed is sealed and fsynced (coworks/cloud/local/snapshot.py);
the table prints the median ms per call of each server, the difference and the ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROLE = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
        '"lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')


def start(home: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "COWORKS_HOME": str(home), "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    process = subprocess.Popen([sys.executable, "-m", "coworks.cli", "cloud", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if (home / "cloud.json").exists():
            return process, json.loads((home / "cloud.json").read_text())["url"]
        time.sleep(0.05)
    process.kill()
    raise SystemExit("cws cloud did not start")


def client(url: str, service: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def code(megabytes: float, n: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("handler.py", f"def main(event, context):\n    return {n}\n")
        archive.writestr("padding.bin", os.urandom(int(megabytes * 1024 * 1024)))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=20, help="calls of each operation per server")
    parser.add_argument("--zip-mb", type=float, default=1.0, help="size of CreateFunction's zip")
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="coworks-bench-persist-"))
    servers = {"memory": start(root / "plain", "--save-every", "0"),
               "--persist": start(root / "durable", "--persist", str(root / "state"), "--save-every", "0")}
    try:
        clients: dict[str, dict[str, Any]] = {}
        for label, (_, url) in servers.items():
            c = {name: client(url, name) for name in ("iam", "lambda", "logs")}
            role = c["iam"].create_role(RoleName="bench", AssumeRolePolicyDocument=ROLE)["Role"]["Arn"]
            c["lambda"].create_function(FunctionName="warm", Runtime="python3.11", Role=role, Handler="handler.main",
                                        Code={"ZipFile": code(0.01, 0)})
            c["logs"].create_log_group(logGroupName="bench")
            c["logs"].create_log_stream(logGroupName="bench", logStreamName="s")
            c["role"] = role
            clients[label] = c
        zips = [code(options.zip_mb, n) for n in range(options.number)]

        def create(c: Any, n: int) -> None:
            c["lambda"].create_function(FunctionName=f"f{n}", Runtime="python3.11", Role=c["role"],
                                        Handler="handler.main", Code={"ZipFile": zips[n]})

        def configure(c: Any, n: int) -> None:
            c["lambda"].update_function_configuration(FunctionName="warm", Description=f"run {n}")

        def put_logs(c: Any, n: int) -> None:
            c["logs"].put_log_events(logGroupName="bench", logStreamName="s",
                                     logEvents=[{"timestamp": int(time.time() * 1000), "message": f"event {n}"}])

        def read(c: Any, n: int) -> None:
            c["lambda"].get_function_configuration(FunctionName="warm")

        operations = {f"CreateFunction ({options.zip_mb:g} MB zip)": create, "UpdateFunctionConfiguration": configure,
                      "PutLogEvents": put_logs, "GetFunctionConfiguration (read)": read}
        for operation in operations.values():  # the first call of each builds moto's URL map
            for c in clients.values():
                operation(c, -1) if operation is not create else None
        print(f"{'operation':<34} {'memory ms':>10} {'--persist ms':>13} {'cost ms':>8} {'ratio':>6}")
        for title, operation in operations.items():
            times: dict[str, list[float]] = {label: [] for label in clients}
            for n in range(options.number):
                for label, c in clients.items():  # in turn: machine noise touches both alike
                    began = time.perf_counter()
                    operation(c, n)
                    times[label].append((time.perf_counter() - began) * 1000)
            plain, durable = (statistics.median(times[label]) for label in clients)
            print(f"{title:<34} {plain:>10.2f} {durable:>13.2f} {durable - plain:>8.2f} {durable / plain:>5.1f}x")
        state = root / "state"
        print(f"state on disk: {sum(p.stat().st_size for p in state.rglob('*') if p.is_file()) / 1e6:.1f} MB "
              f"in {state}")
    finally:
        for process, _ in servers.values():
            process.send_signal(signal.SIGTERM)
        for process, _ in servers.values():
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
