"""The local gateway's REST APIs (payload 1.0) beside its HTTP APIs (payload 2.0): the same
one-entry service deployed both ways on one embedded local cloud, GET /item/3 sent to each in turn
(interleaved, one keep-alive session, after a warm-up). Prints each median in milliseconds and the
REST API's as a multiple of the HTTP API's.

    .venv/bin/python bench/rest_gateway.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

SOURCE = '''
from coworks import Lambda, TechMicroService, entry

class Bench(TechMicroService):
    settings = Lambda(api={api!r})

    @entry
    def get_item(self, item_id: int):
        return {{"id": item_id}}
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    count = parser.parse_args().requests
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import requests

    from coworks.cloud import LocalCloud
    from tests.support import cell

    with LocalCloud(shared=False, sleep=lambda s: None) as cloud:  # embedded, even beside a `cws cloud`
        urls = {}
        for api in ("http", "rest"):
            deployment = cloud.deploy(cell(SOURCE.format(api=api), f"bench{api}"), stage="dev")
            deployment.apply()
            urls[api] = deployment.url + "/item/3"
        session = requests.Session()
        for _ in range(20):
            for url in urls.values():
                session.get(url, timeout=30)
        times: dict[str, list[float]] = {api: [] for api in urls}
        for _ in range(count):
            for api, url in urls.items():
                started = time.perf_counter()
                answer = session.get(url, timeout=30)
                times[api].append(time.perf_counter() - started)
                if answer.status_code != 200:
                    raise SystemExit(f"{api}: {answer.status_code} {answer.text}")
    median = {api: statistics.median(values) * 1000 for api, values in times.items()}
    print(f"median ms: http {median['http']:.2f}  rest {median['rest']:.2f}  "
          f"rest/http {median['rest'] / median['http']:.2f}x")


if __name__ == "__main__":
    main()
