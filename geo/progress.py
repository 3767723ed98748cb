"""Progress over the features of a long job, shown by the caller (a progress bar at a terminal) or not at all."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Bar(Protocol):
    def update(self, n: int) -> None: ...


# progress(label, total) -> a context manager giving a Bar to update(n) as n more features are done.
Progress = Callable[[str, int], AbstractContextManager[Bar]]


class _Unseen:
    def update(self, n: int) -> None:
        pass


def unseen(label: str, total: int) -> AbstractContextManager[Bar]:
    """Progress nobody watches."""
    return nullcontext(_Unseen())
