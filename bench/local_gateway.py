"""Local serving, side by side in one run: requests per second and p50/p99 latency of
``GET /items/{item_id}`` through

- the local cloud's API Gateway to a warm Lambda worker running the deployed zip,
- ``chalice local`` serving the equivalent Chalice app,
- the service's own ``app.serve()``.

The load comes from a second process (threads with keep-alive connections). Also reports the
cold start of a new worker (first request after a deploy). Target: the local gateway at least
matches ``chalice local``'s throughput.

    .venv/bin/python bench/local_gateway.py [--requests 2000] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LOAD = r"""
import http.client, json, sys, threading, time, urllib.parse
url, total, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = urllib.parse.urlsplit(url)
latencies, errors = [], []
lock = threading.Lock()
per_thread = total // concurrency
def work():
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    mine = []
    for i in range(per_thread):
        item = i % 1000
        start = time.perf_counter()
        conn.request("GET", f"{parts.path.rstrip('/')}/items/{item}")
        answer = conn.getresponse()
        body = answer.read()
        mine.append(time.perf_counter() - start)
        if answer.status != 200 or json.loads(body) != {"id": item}:
            errors.append((answer.status, body[:100]))
    with lock:
        latencies.extend(mine)
threads = [threading.Thread(target=work) for _ in range(concurrency)]
begin = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - begin
latencies.sort()
print(json.dumps({"rps": len(latencies) / wall, "p50": latencies[len(latencies) // 2] * 1000,
                  "p99": latencies[int(len(latencies) * 0.99)] * 1000, "errors": len(errors)}))
"""

CHALICE_APP = """
from chalice import Chalice
app = Chalice(app_name="items")

@app.route("/items/{item_id}")
def get_item(item_id):
    return {"id": int(item_id)}
"""

SERVICE = '''
from coworks import TechMicroService, entry


class Items(TechMicroService):
    """Items in stock."""

    @entry
    def get_items(self, item_id: int):
        return {"id": item_id}


app = Items()
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load(url: str, requests: int, concurrency: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", LOAD, url, str(requests), str(concurrency)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    work = Path(tempfile.mkdtemp(prefix="coworks-bench-"))

    # chalice local
    project = work / "chalice-items"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(CHALICE_APP)
    (project / ".chalice" / "config.json").write_text(json.dumps({"version": "2.0", "app_name": "items"}))
    port = free_port()
    # --no-autoreload: the reloader serves from a child process that outlives a terminated parent.
    chalice = subprocess.Popen([str(Path(sys.executable).parent / "chalice"), "local", "--no-autoreload",
                                "--host", "127.0.0.1", "--port", str(port)], cwd=project, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/items/1")
        results["chalice local"] = load(f"http://127.0.0.1:{port}", args.requests, args.concurrency)
    finally:
        os.killpg(chalice.pid, signal.SIGTERM)  # its whole process group, whatever it started
        chalice.wait()

    # app.serve()
    sys.path.insert(0, str(work))
    (work / "items_service.py").write_text(textwrap.dedent(SERVICE))
    import items_service  # type: ignore[import-not-found]

    with items_service.app.serve(port=0) as server:
        results["app.serve()"] = load(server.url, args.requests, args.concurrency)

    # the local cloud
    from coworks.cloud import LocalCloud

    os.chdir(work)
    with LocalCloud(shared=False) as cloud:  # a `cws cloud` running elsewhere stays out of the measure
        deployment = cloud.deploy("items_service:app", stage="dev")
        deployment.apply()
        started = time.perf_counter()
        urllib.request.urlopen(deployment.url + "/items/1").read()
        cold = (time.perf_counter() - started) * 1000
        results["local cloud gateway"] = load(deployment.url, args.requests, args.concurrency)

    print(f"{args.requests} requests, {args.concurrency} keep-alive connections from a second process")
    print("| server | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for name, row in results.items():
        print(f"| {name} | {row['rps']:.0f} | {row['p50']:.2f} | {row['p99']:.2f} | {row['errors']:.0f} |")
    ratio = results["local cloud gateway"]["rps"] / results["chalice local"]["rps"]
    verdict = "met" if ratio >= 1 else "NOT met"
    print(f"\nlocal cloud / chalice local throughput: {ratio:.2f}x (target >= 1x): {verdict}")
    print(f"first request to a new worker (cold start through the gateway): {cold:.0f} ms")


if __name__ == "__main__":
    main()
