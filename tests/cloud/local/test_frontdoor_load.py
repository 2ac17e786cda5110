"""200 requests from 40 concurrent kept-alive clients of a second process through the local gateway: none
lost, none mixed up, and no client waits behind another's worker (each gets its own, up to the concurrency)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.localcloud

LOAD = r"""
import http.client, json, sys, threading, urllib.parse
url, total, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
parts = urllib.parse.urlsplit(url)
start = threading.Barrier(clients)
answers = [None] * total
def call(first):
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)  # one kept-alive connection each
    start.wait()  # all at once
    for i in range(first, total, clients):
        try:
            conn.request("GET", f"{parts.path}/echo/{i}?tag=t{i * 7}")
            response = conn.getresponse()
            answers[i] = [response.status, response.read().decode()]
        except Exception as exc:
            answers[i] = [0, repr(exc)]
    conn.close()
threads = [threading.Thread(target=call, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(answers))
"""


def test_two_hundred_requests_of_forty_clients_lose_nothing_and_mix_nothing(cloud: Any, probe: Any) -> None:
    from coworks.cloud.local.lambdas import CONCURRENCY

    total, clients = 200, 40
    done = subprocess.run([sys.executable, "-c", LOAD, probe.url, str(total), str(clients)], capture_output=True,
                          text=True, timeout=120, check=True)
    answers = json.loads(done.stdout)
    assert len(answers) == total
    wrong = [(i, a) for i, a in enumerate(answers) if a[0] != 200 or json.loads(a[1]) != {"n": i, "tag": f"t{i * 7}"}]
    assert wrong == []
    serving = [count for (name, _), count in cloud.live_workers().items() if name == "probe-dev"]
    assert 1 < max(serving) <= min(clients, CONCURRENCY)  # concurrent calls got their own workers, none queued
