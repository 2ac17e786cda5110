"""200 concurrent requests from a second process through the local gateway: none lost, none mixed up."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.localcloud

LOAD = r"""
import http.client, json, sys, threading, urllib.parse
url, total = sys.argv[1], int(sys.argv[2])
parts = urllib.parse.urlsplit(url)
start = threading.Barrier(total)
answers = [None] * total
def call(i):
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    start.wait()  # all at once
    try:
        conn.request("GET", f"{parts.path}/echo/{i}?tag=t{i * 7}")
        response = conn.getresponse()
        answers[i] = [response.status, response.read().decode()]
    except Exception as exc:
        answers[i] = [0, repr(exc)]
    finally:
        conn.close()
threads = [threading.Thread(target=call, args=(i,)) for i in range(total)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(answers))
"""


def test_two_hundred_concurrent_requests_lose_nothing_and_mix_nothing(cloud: Any, probe: Any) -> None:
    total = 200
    done = subprocess.run([sys.executable, "-c", LOAD, probe.url, str(total)], capture_output=True, text=True,
                          timeout=120, check=True)
    answers = json.loads(done.stdout)
    assert len(answers) == total
    wrong = [(i, a) for i, a in enumerate(answers) if a[0] != 200 or json.loads(a[1]) != {"n": i, "tag": f"t{i * 7}"}]
    assert wrong == []
    serving = [count for (name, _), count in cloud.live_workers().items() if name == "probe-dev"]
    assert 1 < max(serving) <= 4  # concurrent calls got their own workers, up to the limit
