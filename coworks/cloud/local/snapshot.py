"""A snapshot of the local control plane: moto's backends pickled to a file and restored.

``cws cloud --persist DIR`` must come back after a restart with the same API ids, function
versions, aliases, code and logs, so that a ``d.url`` taken before still answers. Replaying the
requests would mint new random ids; moto's own state, pickled, keeps them. moto 5 backends
pickle once three things are taught to the pickler: the weak-value index of Lambda's storage
(rebuilt from the functions it points to), ``defaultdict(lambda: {})`` (a lambda cannot be
pickled; ``dict`` builds the same defaults) and locks (new, unlocked ones). The snapshot records
moto's version and refuses another: a pickle of other classes would restore nonsense.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import threading
import weakref
from pathlib import Path
from typing import Any

from ..errors import SnapshotError

#: The backends a deploy, a workflow or a handler touches on the local cloud.
SERVICES = ("iam", "lambda", "apigatewayv2", "apigateway", "logs", "events", "stepfunctions", "s3", "sts",
            "scheduler", "secretsmanager", "dynamodb", "sqs", "sns")
FILE = "controlplane.pickle"
_LOCKS = (type(threading.Lock()), type(threading.RLock()))




def _weak_values(items: dict[str, Any]) -> weakref.WeakValueDictionary[str, Any]:
    return weakref.WeakValueDictionary(items)


def _dict_defaults(items: dict[Any, Any]) -> collections.defaultdict[Any, Any]:
    return collections.defaultdict(dict, items)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj),)
        if isinstance(obj, collections.defaultdict) and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            return _dict_defaults, (dict(obj),)
        if isinstance(obj, _LOCKS):
            return type(obj), ()
        return NotImplemented


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def save_snapshot(directory: str | os.PathLike[str], attempts: int = 5) -> Path:
    """Write every backend to ``directory/controlplane.pickle`` atomically; returns the file.

    Requests may change a backend while it is pickled (the periodic save runs beside them):
    pickling then fails on a dict that changed size, and is simply tried again.
    """
    from moto.backends import get_backend

    target = Path(directory) / FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    from moto.logs.models import LogEvent

    # Log event ids come from a class-wide counter: restored events must not meet new ones' ids.
    state = {"moto": _moto_version(), "backends": {}, "log_event_id": LogEvent._event_id}
    for attempt in range(attempts):
        buffer = io.BytesIO()
        try:
            state["backends"] = {name: dict(get_backend(name)) for name in SERVICES}  # type: ignore[call-overload]
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
            break
        except RuntimeError as exc:  # "dictionary changed size during iteration"
            if attempt == attempts - 1:
                raise SnapshotError(f"The local cloud's state kept changing while saved to {target}: {exc}.",
                                    resource=str(target)) from None
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an object moto grew since
            raise SnapshotError(f"The local cloud's state cannot be saved to {target} ({exc}): persistence "
                                "needs the moto version Coworks was tested with.", resource=str(target)) from None
    staging = target.with_suffix(".tmp")
    staging.write_bytes(buffer.getvalue())
    os.replace(staging, target)
    return target


def load_snapshot(directory: str | os.PathLike[str]) -> bool:
    """Put the backends saved in ``directory`` back in place of this process's; False when none was saved."""
    from moto.backends import get_backend

    source = Path(directory) / FILE
    if not source.is_file():
        return False
    try:
        state = pickle.loads(source.read_bytes())
    except Exception as exc:  # a truncated or foreign file: nothing in it can be trusted
        raise SnapshotError(f"The local cloud's state in {source} cannot be read ({exc}): move it away to "
                            "start empty.", resource=str(source)) from None
    if state.get("moto") != _moto_version():
        raise SnapshotError(f"The local cloud's state in {source} was saved with moto {state.get('moto')} and this is "
                            f"moto {_moto_version()}: reinstall that version or move the file away to start empty.",
                            resource=str(source))
    for name, accounts in state["backends"].items():
        backends = get_backend(name)  # type: ignore[call-overload]
        backends.clear()
        backends.update(accounts)
    from moto.logs.models import LogEvent

    LogEvent._event_id = max(LogEvent._event_id, int(state.get("log_event_id", 0)))
    return True
