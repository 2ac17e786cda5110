"""A render that cannot outlive its time limit.

A template is code: ``{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}``
never yields a chunk and never calls a function, so checks between chunks cannot stop it. A timer
raises ``RenderTimeout`` inside the rendering thread instead (CPython's PyThreadState_SetAsyncExc,
delivered at the next bytecode boundary of the compiled template), under a lock that makes sure it
is never delivered once the render is over.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class RenderTimeout(Exception):
    """Raised inside the render when its time is up; never escapes ``run_within``."""


def run_within(seconds: float, work: Callable[[], T]) -> tuple[bool, T | None]:
    """``(True, result)``, or ``(False, None)`` when ``work`` did not finish within ``seconds``."""
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(RenderTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    try:
        timer.start()
        try:
            result = work()
        finally:
            with lock:
                state["done"] = True
            timer.cancel()
    except RenderTimeout:
        return False, None
    if state["fired"]:  # fired after work() returned but before done was set: it was late anyway
        return False, None
    return True, result
