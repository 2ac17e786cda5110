"""Soak: the shared local cloud (`cws cloud --persist`) under 64 clients, a killed worker and a kill -9.

What runs, in one go:

1. `cws cloud --persist DIR` as its own process (HOME is a temporary folder: nothing of yours is
   touched), and one service deployed to it through `LocalCloud(url=...)`.
2. Phase 1: half the requests from 64 client threads, mixing kept-alive GETs, kept-alive POSTs
   with a Content-Length and chunked POSTs on fresh connections. Each request carries its own id
   and body; the answer must echo both (anything else is *mixed*). Half-way through, one of the
   function's worker processes is killed with SIGKILL.
3. `cws cloud` itself is killed with SIGKILL and started again on the same port and directory:
   the deployed URL must answer again, with nothing redeployed.
4. Phase 2: the other half of the requests, as in phase 1.

Printed per phase: requests, lost (no HTTP answer at all), mixed (an answer for another request),
errored (an answer that is not 200: the request the killed worker was running is expected
here), p50/p99 latency, memory growth (resident size of the cloud's own process at the end of the
phase minus at its start) and the function's worker processes (as on Lambda, 64 concurrent clients
get up to 64 execution environments: each is a process of its own, about 13 MB).
The target is 0 lost, 0 mixed, errored only the killed request.

    .venv/bin/python bench/soak.py [--requests 10000] [--clients 64]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

SERVICE = '''
from coworks import TechMicroService, entry


class Soak(TechMicroService):
    """Echoes what it is sent, so a client can tell its own answer from another's."""

    @entry
    def get_echo(self, rid: str, tag: str = ""):
        return {"rid": rid, "tag": tag}

    @entry
    def post_echo(self, rid: str, *, text: str):
        return {"rid": rid, "size": len(text)}


app = Soak()
'''


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)
    errored: list[str] = field(default_factory=list)
    memory_mb: tuple[float, float] = (0.0, 0.0)
    workers: tuple[int, int] = (0, 0)

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else 0.0
        p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else 0.0
        total = len(self.latencies) + len(self.lost)
        growth = self.memory_mb[1] - self.memory_mb[0]
        return (f"{self.name:<8} requests {total:>6}  lost {len(self.lost):>3}  mixed {len(self.mixed):>3}  "
                f"errored {len(self.errored):>3}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
                f"front door {self.memory_mb[0]:5.0f} -> {self.memory_mb[1]:5.0f} MB ({growth:+.0f})  "
                f"workers {self.workers[0]} -> {self.workers[1]}")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident size of the cloud's own process (the front door, moto and the control plane)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0


def busy(pid: int) -> bool:
    """Whether a process is running or in a system call now (a worker serving a request, likely)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "R"
    except (OSError, IndexError):
        return False


def workers_of(pid: int) -> list[int]:
    """The Lambda worker processes under the cloud's process (their command line runs bootstrap)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                kids = [int(child) for child in children.read().split()]
        except OSError:
            continue
        for kid in kids:
            try:
                command = Path(f"/proc/{kid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"bootstrap" in command:
                found.append(kid)
            todo.append(kid)
    return found


class Cloud:
    """`cws cloud --persist` in its own process, on a fixed port so its URLs outlive a restart."""

    def __init__(self, home: Path, persist: Path, port: int) -> None:
        self.home, self.persist, self.port = home, persist, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        env.pop("COWORKS_CLOUD", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coworks.cli", "cloud", "--persist", str(self.persist), "--port", str(self.port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.process.stderr.read().decode() if self.process.stderr else ""
                raise SystemExit(f"cws cloud exited: {said}")
            try:
                with urllib.request.urlopen(self.url + "/_coworks/health", timeout=2) as answer:
                    if json.loads(answer.read()).get("pid") == self.process.pid and (
                            self.home / ".coworks" / "cloud.json").exists():
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("cws cloud did not answer within 120 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        for pid in _orphans(self.persist):  # the workers of a killed cloud die with their pipes
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _orphans(persist: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"bootstrap" in command and str(persist).encode() in command:
                found.append(int(entry.name))
    return found


def run_phase(phase: Phase, url: str, first: int, count: int, clients: int,
              halfway: threading.Event | None = None) -> None:
    parts = urllib.parse.urlsplit(url)
    base = parts.path.rstrip("/")
    lock = threading.Lock()
    done = [0]

    def one(conn: http.client.HTTPConnection, n: int) -> http.client.HTTPConnection:
        rid = f"r{n}"
        kind = n % 3
        started = time.perf_counter()
        try:
            if kind == 0:  # kept alive, GET
                conn.request("GET", f"{base}/echo/{rid}?tag=t{n * 7}")
                expected: dict[str, object] = {"rid": rid, "tag": f"t{n * 7}"}
            elif kind == 1:  # kept alive, POST with a Content-Length
                text = "x" * (n % 500)
                conn.request("POST", f"{base}/echo/{rid}", body=json.dumps({"text": text}),
                             headers={"Content-Type": "application/json"})
                expected = {"rid": rid, "size": len(text)}
            else:  # chunked POST on a fresh connection
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
                text = "y" * (n % 700)
                body = json.dumps({"text": text}).encode()
                chunks = (body[i:i + 97] for i in range(0, len(body), 97))
                conn.request("POST", f"{base}/echo/{rid}", body=chunks, encode_chunked=True,
                             headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
                expected = {"rid": rid, "size": len(text)}
            response = conn.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                phase.latencies.append(elapsed)
                if response.status != 200:
                    phase.errored.append(f"{rid}: {response.status} {data[:200]!r}")
                else:
                    try:
                        answer = json.loads(data)
                    except ValueError:
                        answer = None
                    if answer != expected:
                        phase.mixed.append(f"{rid}: {data[:200]!r}")
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                phase.lost.append(f"{rid}: {exc!r}")
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        with lock:
            done[0] += 1
            if halfway is not None and done[0] == count // 2:
                halfway.set()
        return conn

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        for n in range(first + index, first + count, clients):
            conn = one(conn, n)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="coworks-soak-") as scratch:
        root = Path(scratch)
        (root / "home").mkdir()
        project = root / "project"
        project.mkdir()
        (project / "soak.py").write_text(SERVICE)
        cloud = Cloud(root / "home", root / "state", free_port())
        cloud.start()
        try:
            os.environ["HOME"] = str(root / "home")
            sys.path.insert(0, str(project))
            from coworks.cloud import LocalCloud

            local = LocalCloud(url=cloud.url)
            deployment = local.deploy("soak:app", stage="dev")
            deployment.apply()
            url = deployment.url
            print(f"deployed {url}")
            half = args.requests // 2

            first = Phase("phase 1")
            assert cloud.process is not None
            before, workers = rss_mb(cloud.process.pid), len(workers_of(cloud.process.pid))
            halfway = threading.Event()
            killed: list[int] = []

            def kill_one_worker() -> None:
                halfway.wait()
                assert cloud.process is not None
                for _ in range(2000):  # a worker caught serving, if one can be
                    running = [pid for pid in workers_of(cloud.process.pid) if busy(pid)]
                    if running:
                        break
                candidates = running or workers_of(cloud.process.pid)
                if candidates:
                    os.kill(candidates[0], signal.SIGKILL)
                    killed.append(candidates[0])

            killer = threading.Thread(target=kill_one_worker, daemon=True)
            killer.start()
            run_phase(first, url, 0, half, args.clients, halfway)
            first.memory_mb = (before, rss_mb(cloud.process.pid))
            first.workers = (workers, len(workers_of(cloud.process.pid)))
            print(first.line(), f"(killed worker {killed or 'none'})")

            cloud.kill()
            cloud.start()
            try:
                with urllib.request.urlopen(f"{url}/echo/after-restart", timeout=120) as answer:
                    survived = json.loads(answer.read()) == {"rid": "after-restart", "tag": ""}
            except OSError as exc:
                survived = False
                print(f"after kill -9 and restart the URL does not answer: {exc}")
            print(f"kill -9 of cws cloud and restart: deployed URL answers again: {survived}")

            second = Phase("phase 2")
            before, workers = rss_mb(cloud.process.pid), len(workers_of(cloud.process.pid))
            run_phase(second, url, half, args.requests - half, args.clients)
            second.memory_mb = (before, rss_mb(cloud.process.pid))
            second.workers = (workers, len(workers_of(cloud.process.pid)))
            print(second.line())
            for phase in (first, second):
                for kind in ("lost", "mixed", "errored"):
                    for item in getattr(phase, kind)[:5]:
                        print(f"  {phase.name} {kind}: {item}")
        finally:
            cloud.stop()


if __name__ == "__main__":
    main()
