"""The local control plane's state on disk: one sealed file per moto backend, restored at start.

``cws cloud --persist DIR`` must come back after a restart (or a kill -9) with the same API ids,
function versions, aliases, code and logs, so that a ``d.url`` taken before still answers.
Replaying the requests would mint new random ids; moto's own objects, pickled, keep them. moto 5
backends pickle once three things are taught to the pickler: the weak-value index of Lambda's
storage (rebuilt from the functions it points to), ``defaultdict(lambda: {})`` (a lambda cannot
be pickled; ``dict`` builds the same defaults) and locks and conditions (new, unlocked ones:
pickled as they are, a condition would carry its lock's bound methods through ``getattr``).

Durable before answered (save-on-change, no write-ahead log): the front door calls
:meth:`Snapshot.commit` with each mutating AWS call after it was handled and before its answer is
written (``FrontDoorApp.before_answer``). Only the backend the call was signed for is written
(:func:`touched`: the credential scope's service, ``apigateway`` told apart by path), so a
``PutLogEvents`` costs the logs backend, not Lambda's code. Calls that change one backend at once
share a write (group commit: whoever writes after a change was made carries it). The data plane's
own writes into moto -- the log events of invocations, Step Functions executions, EventBridge
deliveries -- are durable at the next compaction (``--save-every`` seconds, and at stop), as is
anything a call changed in a backend it was not signed for.

The file (``DIR/<service>.state``) is not a pickle that runs code when loaded:

``COWORKS-STATE\\n`` | 4-byte header length | JSON header | payload

The header names the format version, moto's version, the service, the payload's length and its
SHA-256 (a damaged file is told apart without the key) and the AES-GCM nonce. The payload is the
pickle sealed with AES-256-GCM under a key kept readable by this user only outside the state
directory (``~/.coworks/state.key``, made on first save): secret values and Lambda environment
variables are not readable in the files, and a file sealed with another key (another user's, a
crafted one) fails GCM's authentication: it is refused as foreign before a byte of it is
unpickled. Even then the unpickler resolves only the classes a local cloud's state holds
(:data:`_GLOBALS`, moto's own classes). Each refusal is one :class:`SnapshotError` sentence, and
every file is checked before any backend is replaced: a refused state changes nothing.

Every write: a temporary file in the same directory (0600), flush and ``fsync``, ``os.replace``,
then ``fsync`` of the directory (0700), so a kill -9 or a power cut leaves the old file or the
new one, whole. (As NIST SP 800-38D, AES-GCM's specification, asks, a nonce is never reused under
a key: 96 random bits each write.)
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import io
import json
import os
import pickle
import secrets
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import SnapshotError

#: The backends a deploy, a workflow or a handler touches on the local cloud.
SERVICES = ("iam", "lambda", "apigatewayv2", "apigateway", "logs", "events", "stepfunctions", "s3", "sts",
            "scheduler", "secretsmanager", "dynamodb", "sqs", "sns")
MAGIC = b"COWORKS-STATE\n"
FORMAT = 1
SUFFIX = ".state"
#: The pickle an older Coworks wrote: never loaded (a pickle may run code), only named in the refusal.
LEGACY = "controlplane.pickle"
KEY_NAME = "state.key"
#: ``bytes`` and ``str`` this large (code zips and their base64, S3 objects) are kept in
#: ``DIR/blobs/<sha256>`` once, not in every write of their backend.
BLOB = 64 * 1024
_LOCKS = (type(threading.Lock()), type(threading.RLock()))
#: The credential scope's service (SigV4) when it is not the backend's name.
_SIGNED = {"states": "stepfunctions", "execute-api": "apigateway"}


def _weak_values(items: dict[str, Any]) -> weakref.WeakValueDictionary[str, Any]:
    return weakref.WeakValueDictionary(items)


def _dict_defaults(items: dict[Any, Any]) -> collections.defaultdict[Any, Any]:
    return collections.defaultdict(dict, items)


#: What a pickled local cloud holds besides moto's classes, found by saving deployed services,
#: workflows, secrets, tables, queues and topics (tests/cloud/local/test_snapshot.py).
_GLOBALS = frozenset({
    ("builtins", "dict"), ("collections", "OrderedDict"), ("collections", "defaultdict"), ("collections", "deque"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timedelta"), ("datetime", "timezone"),
    ("decimal", "Decimal"), ("uuid", "UUID"), ("re", "_compile"), ("_thread", "lock"), ("_thread", "RLock"),
    ("threading", "Condition"), (__name__, "_weak_values"), (__name__, "_dict_defaults"),
})


class _Pickler(pickle.Pickler):
    """moto's objects as they are, but for the three above and large ``bytes`` and ``str`` (code
    zips, their base64, S3 objects): those are named by their SHA-256 and written once, each in its
    own sealed file."""

    def __init__(self, out: io.BytesIO, blobs: dict[str, Any], known: dict[int, tuple[Any, str]]) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.blobs = blobs  # digest -> the bytes or str it names
        self.known = known  # the digests of the last write's blobs, by id (their object kept alive with it)
        self.seen: dict[int, tuple[Any, str]] = {}

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if (kind is bytes or kind is str) and len(obj) >= BLOB:  # moto keeps a zip and its base64 text
            known = self.known.get(id(obj))
            digest = known[1] if known is not None and known[0] is obj else hashlib.sha256(
                obj if kind is bytes else obj.encode()).hexdigest()
            self.seen[id(obj)] = (obj, digest)
            self.blobs[digest] = obj
            return digest if kind is bytes else f"text {digest}"
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj),)
        if isinstance(obj, collections.defaultdict) and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            return _dict_defaults, (dict(obj),)
        if isinstance(obj, _LOCKS):
            return type(obj), ()
        if isinstance(obj, threading.Condition):  # an SQS queue's: a new one, as for locks
            return threading.Condition, ()
        return NotImplemented


class _Refused(Exception):
    """A global the state never holds (``module.name``)."""


class _Unpickler(pickle.Unpickler):
    """Resolves only :data:`_GLOBALS` and classes defined in moto's own modules; large bytes are
    read from their sealed files, each checked against the SHA-256 that names it."""

    def __init__(self, payload: bytes, blob: Any) -> None:
        super().__init__(io.BytesIO(payload))
        self.blob = blob

    def persistent_load(self, pid: Any) -> Any:
        digest = pid.removeprefix("text ") if isinstance(pid, str) else ""
        if len(digest) != 64 or digest.strip("0123456789abcdef"):
            raise _Refused(f"blob {pid!r}")
        data = self.blob(digest)
        return data.decode() if pid.startswith("text ") else data

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _GLOBALS:
            return super().find_class(module, name)
        if module.split(".")[0] == "moto" and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and str(found.__module__).split(".")[0] == "moto":
                return found
        raise _Refused(f"{module}.{name}")


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """``data`` as ``path``'s new content (0600), on disk when this returns, whole or not at all."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def private_directory(directory: Path) -> Path:
    """``directory``, made if missing, readable by this user only (0700)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return directory


def state_key(path: Path, *, create: bool) -> bytes | None:
    """The 32-byte key that seals the state files (made, 0600, when ``create`` and missing)."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        private_directory(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server made it first
            return state_key(path, create=False)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        _fsync_directory(path.parent)
        return path.read_bytes()
    if len(key) != 32:
        raise SnapshotError(f"The local cloud's state key {path} is not one Coworks made (32 bytes): restore it, "
                            "or move it and the state away to start empty.", resource=str(path))
    return key


def seal(service: str, payload: bytes, key: bytes) -> bytes:
    """One state file's bytes: the header, then ``payload`` sealed with AES-256-GCM under ``key``."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    bound = {"format": FORMAT, "moto": _moto_version(), "service": service}
    sealed = AESGCM(key).encrypt(nonce, payload, json.dumps(bound, sort_keys=True).encode())
    header = json.dumps({**bound, "nonce": nonce.hex(), "length": len(sealed),
                         "sha256": hashlib.sha256(sealed).hexdigest()}).encode()
    return MAGIC + len(header).to_bytes(4, "big") + header + sealed


def unseal(source: Path, data: bytes, service: str, key: bytes | None, key_file: Path | str = "state.key") -> bytes:
    """The pickle in one state file, or a :class:`SnapshotError` saying why it cannot be trusted."""
    def refused(reason: str) -> SnapshotError:
        return SnapshotError(f"The local cloud's state in {source} {reason}.", resource=str(source))

    if not data.startswith(MAGIC):
        raise refused("is not a Coworks state file: move it away to start empty")
    size = int.from_bytes(data[len(MAGIC):len(MAGIC) + 4], "big")
    start = len(MAGIC) + 4 + size
    damaged = "is damaged (cut short or altered since it was written): move it away to start empty"
    try:
        header = json.loads(data[len(MAGIC) + 4:start])
        version, moto, length, digest = header["format"], header["moto"], header["length"], header["sha256"]
        nonce = bytes.fromhex(header["nonce"])
    except (ValueError, KeyError, TypeError):
        raise refused(damaged) from None
    if version != FORMAT:
        raise refused(f"is in state format {version} and this Coworks reads format {FORMAT}: use the Coworks that "
                      "wrote it, or move it away to start empty")
    if moto != _moto_version():
        raise refused(f"was saved with moto {moto} and this is moto {_moto_version()}: reinstall that version or "
                      "move the file away to start empty")
    sealed = data[start:]
    if length != len(sealed) or hashlib.sha256(sealed).hexdigest() != digest:
        raise refused(damaged)
    foreign = ("was not written by this user's local cloud ({}): restore the key that sealed it, or move the "
               "state away to start empty")
    if key is None:
        raise refused(foreign.format(f"there is no key {key_file}"))
    if header.get("service") != service:
        raise refused(foreign.format(f"it holds {header.get('service')}, not {service}"))
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    bound = {"format": version, "moto": moto, "service": service}
    try:
        return AESGCM(key).decrypt(nonce, sealed, json.dumps(bound, sort_keys=True).encode())
    except (InvalidTag, ValueError):
        raise refused(foreign.format(f"the key {key_file} does not open it")) from None


#: Operations that change nothing, by their names' first word: the JSON and query protocols send
#: reads as POSTs (``Logs_20140328.DescribeLogGroups``, ``Action=ListRoles``).
_READ_VERBS = ("Describe", "List", "Get", "Filter", "Lookup", "Search", "Query", "Scan", "BatchGet", "Head",
               "Simulate", "Validate")


def operation(target: str | None, body: bytes) -> str:
    """The AWS operation a POST names: ``X-Amz-Target``'s (JSON protocols) or ``Action=`` (query)."""
    if target:
        return target.rpartition(".")[2]
    if body.startswith(b"Action=") or b"&Action=" in body[:4096]:
        from urllib.parse import parse_qs

        return parse_qs(body[:4096].decode("latin-1")).get("Action", [""])[0]
    return ""


def touched(method: str, path: str, authorization: str | None, target: str | None = None,
            body: bytes = b"") -> tuple[str, ...]:
    """The backends an AWS call may have changed: none for a read (GET, HEAD, or a POST whose
    operation reads), else the one its credential scope names
    (``Credential=<key>/<date>/<region>/<service>/aws4_request``, as "Elements of an AWS API
    request signature" describes it: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-elements.html),
    every one when that names none we keep. A mutating call's answer is sent only once these are
    on disk."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return ()
    if method == "POST" and operation(target, body).startswith(_READ_VERBS):
        return ()
    scope = (authorization or "").partition("Credential=")[2].split(",")[0].split("/")
    signed = _SIGNED.get(scope[3], scope[3]) if len(scope) == 5 else ""
    if signed == "apigateway":
        return ("apigatewayv2",) if path.startswith("/v2/") else ("apigateway",)
    return (signed,) if signed in SERVICES else SERVICES


class Snapshot:
    """The state files of ``directory``, sealed with the key at ``key_file``.

    ``commit(services)`` makes what was done to those backends durable (called by many request
    threads at once), ``save()`` writes them all (the compaction), ``load()`` restores them.
    """

    def __init__(self, directory: str | os.PathLike[str], key_file: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.key_file = Path(key_file)
        self._key: bytes | None = None
        self._guard = threading.Lock()
        self._locks = {name: threading.Lock() for name in SERVICES}
        self._changed = dict.fromkeys(SERVICES, 0)  # changes finished per backend
        self._written = dict.fromkeys(SERVICES, 0)  # of which on disk
        self._blobs: dict[str, set[str]] = {}  # the blobs each backend's last write named
        self._digests: dict[str, dict[int, tuple[Any, str]]] = {}  # their objects' digests, not hashed again
        self._on_disk: set[str] = set()

    def files(self) -> list[Path]:
        return [self.directory / f"{name}{SUFFIX}" for name in SERVICES]

    def commit(self, services: Iterable[str]) -> None:
        """Write ``services``' backends unless a write that began after this call's change did."""
        wanted = {}
        with self._guard:
            for name in services:
                self._changed[name] += 1
                wanted[name] = self._changed[name]
        for name, change in wanted.items():
            with self._locks[name]:
                if self._written[name] < change:
                    self._write(name)

    def save(self, services: Iterable[str] = SERVICES) -> list[Path]:
        """Write every backend named (all by default): the compaction that also carries the data
        plane's writes. Returns the files written."""
        written = []
        for name in services:
            with self._locks[name]:
                written.append(self._write(name))
        if set(self._blobs) == set(SERVICES):
            self._sweep()
        return written

    def _sweep(self) -> None:
        """Remove the blobs no backend's last write names (a deleted function's code), every
        backend's lock held so that no write names a new one meanwhile."""
        with contextlib.ExitStack() as held:
            for name in SERVICES:
                held.enter_context(self._locks[name])
            named = set().union(*self._blobs.values())
            for blob in (self.directory / "blobs").glob("*"):
                if blob.name not in named and not blob.name.startswith("."):
                    blob.unlink(missing_ok=True)
                    self._on_disk.discard(blob.name)

    def _write(self, name: str, attempts: int = 5) -> Path:
        """Seal and write one backend; the caller holds its lock."""
        from moto.backends import get_backend

        target = private_directory(self.directory) / f"{name}{SUFFIX}"
        with self._guard:
            change = self._changed[name]  # every change counted so far has finished: the pickle holds it
        state: dict[str, Any] = {"backends": {}}
        if name == "logs":
            from moto.logs.models import LogEvent

            # Log event ids come from a class-wide counter: restored events must not meet new ones' ids.
            state["log_event_id"] = LogEvent._event_id
        blobs: dict[str, Any] = {}
        for attempt in range(attempts):
            buffer, blobs = io.BytesIO(), {}
            pickler = _Pickler(buffer, blobs, self._digests.get(name, {}))
            try:
                state["backends"] = dict(get_backend(name))  # type: ignore[call-overload]
                pickler.dump(state)
                break
            except RuntimeError as exc:  # "dictionary changed size during iteration": a request beside it
                if attempt == attempts - 1:
                    raise SnapshotError(f"The local cloud's {name} state kept changing while saved to {target}: "
                                        f"{exc}.", resource=str(target)) from None
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an object moto grew since
                raise SnapshotError(f"The local cloud's {name} state cannot be saved to {target} ({exc}): "
                                    "persistence needs the moto version Coworks was tested with.",
                                    resource=str(target)) from None
        key = self._key = self._key or state_key(self.key_file, create=True)
        for digest, data in blobs.items():  # before the state that names them, each once
            if digest not in self._on_disk:
                blob = private_directory(self.directory / "blobs") / digest
                if not blob.is_file():
                    write_durably(blob, seal(f"blob {digest}", data if type(data) is bytes else data.encode(),
                                             key or b""))
                self._on_disk.add(digest)
        self._blobs[name] = set(blobs)
        self._digests[name] = pickler.seen
        write_durably(target, seal(name, buffer.getvalue(), key or b""))
        self._written[name] = max(self._written[name], change)
        return target

    def load(self) -> bool:
        """Put the saved backends in place of this process's; False when nothing was saved.

        Every file is read, checked and unpickled first: a refused one leaves every backend as it was.
        """
        legacy = self.directory / LEGACY
        if legacy.is_file():
            raise SnapshotError(f"The local cloud's state in {legacy} is a pickle from an older Coworks, which could "
                                "run code when loaded: move it away to start empty.", resource=str(legacy))
        found = [path for path in self.files() if path.is_file()]
        if not found:
            return False
        self._key = state_key(self.key_file, create=False)
        restored: dict[str, dict[str, Any]] = {}
        blobs: dict[str, set[str]] = {}
        for path in found:
            name = path.name.removesuffix(SUFFIX)
            payload = unseal(path, path.read_bytes(), name, self._key, self.key_file)
            named: set[str] = set()
            try:
                state = _Unpickler(payload, functools.partial(self._blob, named=named)).load()
            except _Refused as exc:
                raise SnapshotError(f"The local cloud's state in {path} names {exc}, which no local cloud state "
                                    "holds: move it away to start empty.", resource=str(path)) from None
            except SnapshotError:
                raise
            except Exception:  # sealed by our key yet unreadable: nothing in it can be trusted
                raise SnapshotError(f"The local cloud's state in {path} is damaged (it cannot be unpickled): move "
                                    "it away to start empty.", resource=str(path)) from None
            if not isinstance(state, dict) or not isinstance(state.get("backends"), dict):
                raise SnapshotError(f"The local cloud's state in {path} is damaged (no backends in it): move it "
                                    "away to start empty.", resource=str(path))
            restored[name] = state
            blobs[name] = named
        from moto.backends import get_backend

        for name, state in restored.items():
            backends = get_backend(name)  # type: ignore[call-overload]
            backends.clear()
            backends.update(state["backends"])
            if name == "logs":
                from moto.logs.models import LogEvent

                LogEvent._event_id = max(LogEvent._event_id, int(state.get("log_event_id", 0)))
        self._blobs.update(blobs)
        return True

    def _blob(self, digest: str, named: set[str]) -> bytes:
        path = self.directory / "blobs" / digest
        try:
            data = path.read_bytes()
        except OSError:
            raise SnapshotError(f"The local cloud's state names {path}, which is missing: restore it, or move the "
                                "state away to start empty.", resource=str(path)) from None
        blob = unseal(path, data, f"blob {digest}", self._key, self.key_file)
        if hashlib.sha256(blob).hexdigest() != digest:
            raise SnapshotError(f"The local cloud's state in {path} is damaged (not the content its name says): "
                                "move the state away to start empty.", resource=str(path))
        named.add(digest)
        return blob


def save_snapshot(directory: str | os.PathLike[str], key_file: str | os.PathLike[str]) -> list[Path]:
    """Every backend written to ``directory`` (see :class:`Snapshot`); returns the files."""
    return Snapshot(directory, key_file).save()


def load_snapshot(directory: str | os.PathLike[str], key_file: str | os.PathLike[str]) -> bool:
    """The backends saved in ``directory`` put in place of this process's; False when none was saved."""
    return Snapshot(directory, key_file).load()
