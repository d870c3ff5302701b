"""Two saves sent in the same instant: the second arrives while the first is between its
check and its save."""

import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: Long enough for a second save that does not wait to have finished; far below the
#: five-second busy timeout SQLite waits for a lock.
SETTLE = 0.5


def same_instant(
    monkeypatch: Any,
    module: ModuleType,
    step: str,
    first: Callable[[], Any],
    second: Callable[[], Any],
) -> tuple[Any, Any, bool]:
    """Send `first`, stop it at `module.step` (its save), then send `second`.

    The first waits there until the second has finished or has been held for SETTLE
    seconds. Returns both responses, and whether the second was held until the first went on.
    """
    real = getattr(module, step)
    at_save, go_on = threading.Event(), threading.Event()
    calls: list[int] = []

    def pausing(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            at_save.set()
            go_on.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, step, pausing)
    results: dict[str, Any] = {}

    def run(key: str, send: Callable[[], Any]) -> None:
        results[key] = send()

    one = threading.Thread(target=run, args=("first", first))
    one.start()
    assert at_save.wait(10), "the first save never reached its save step"
    two = threading.Thread(target=run, args=("second", second))
    two.start()
    two.join(SETTLE)
    held = two.is_alive()
    go_on.set()
    one.join(10)
    two.join(10)
    return results["first"], results["second"], held
