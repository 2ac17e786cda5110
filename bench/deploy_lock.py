"""What guarding deploys against races costs on the local cloud (issue 11): the deploy lock's round
trip (take it, give it back, through the front door), and an unchanged deploy's ``apply()`` of the
plan it showed (lock + the state read again under it) beside its ``plan()`` (one state read).

    .venv/bin/python bench/deploy_lock.py          # --repeat 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

SOURCE = '''
from coworks import TechMicroService, entry


class Racer(TechMicroService):
    @entry
    def get(self):
        return "a"


app = Racer("benchlock")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    from coworks.cloud import LocalCloud
    from coworks.cloud.deploy.names import Owner

    with tempfile.TemporaryDirectory() as directory, LocalCloud(shared=False, sleep=lambda s: None) as cloud:
        (Path(directory) / "benchlock_app.py").write_text(SOURCE)
        sys.path.insert(0, directory)
        cloud.deploy("benchlock_app:app", stage="dev").apply()
        owner, locks = Owner("benchlock", "dev"), []
        for _ in range(args.repeat * 5):
            start = time.perf_counter()
            with cloud.deployer.locks.hold(owner, "deploy"):
                pass
            locks.append(time.perf_counter() - start)
        plans, applies = [], []
        for _ in range(args.repeat):
            deployment = cloud.deploy("benchlock_app:app", stage="dev")
            start = time.perf_counter()
            deployment.plan()
            plans.append(time.perf_counter() - start)
            start = time.perf_counter()
            deployment.apply()
            applies.append(time.perf_counter() - start)
    plan, apply = statistics.median(plans), statistics.median(applies)
    print(f"lock take + give back: median {statistics.median(locks) * 1000:.2f} ms")
    print(f"unchanged deploy: plan() {plan * 1000:.0f} ms, apply() of the shown plan {apply * 1000:.0f} ms "
          f"({apply / plan:.2f}x plan: the lock and the state read again)")


if __name__ == "__main__":
    main()
