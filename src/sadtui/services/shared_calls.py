"""Request sharing: one call per key in flight; later callers for that key wait for its answer.

The resolver uses it so a song is resolved once however many threads ask for it at
the same time (a prefetch and a play, the engine's pool and the TUI).  Each waiter
gives up at its own deadline; the call itself goes on and its answer is shared
with whoever still waits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["SharedCalls"]

T = TypeVar("T")


class _Flight(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class SharedCalls(Generic[T]):
    """``run(key, call, timeout, on_timeout)``: ``call()`` once per key at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight[T]] = {}

    def busy(self) -> bool:
        with self._lock:
            return bool(self._flights)

    def run(self, key: str, call: Callable[[], T], timeout: float, on_timeout: Callable[[], BaseException]) -> T:
        """The answer of `call` (or of the call already in flight for `key`).  A waiter
        that is not answered within `timeout` seconds raises ``on_timeout()``; an error
        the call raised is raised again (a copy, for each waiter)."""
        with self._lock:
            flight = self._flights.get(key)
            mine = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not mine:
            if not flight.done.wait(max(0.0, timeout)):
                raise on_timeout()
            if flight.error is not None:
                raise _copy(flight.error) from None
            return flight.result  # type: ignore[return-value]
        try:
            flight.result = call()
            return flight.result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()


def _copy(exc: BaseException) -> BaseException:
    """A fresh exception like `exc` (one object must not be raised in two threads at once)."""
    try:
        twin = type(exc)(*exc.args)
    except TypeError:  # an exception class with another signature: share the one object
        return exc
    twin.__dict__.update(getattr(exc, "__dict__", {}))
    return twin
