"""Running the line checks on every core: chunks go to a pool of processes, at most a
few at a time (so memory stays flat), and come back in order. Small bundles, and
`jobs=1`, run in this process with the same code."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import TypeVar

from inmc_vote.verify import worker

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 4_000  # lines (roll and boards together): fewer run here, faster than a pool


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_method() -> multiprocessing.context.BaseContext:
    """fork where it is safe (a POSIX process with no other thread): fast, and a script
    that calls `verify` needs no `if __name__ == "__main__"`; spawn elsewhere."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class Workers:
    """`map` a chunk function over chunks, in order; `jobs` processes (1: this one).

    The pool starts with the first `map` and `release` stops it: a shuffle's proof is
    checked by `shuffle.verify` on processes of its own, which it can fork (fast, and
    safe for a script without `if __name__ == "__main__"`) only while this process has
    no other thread, and a running pool has one."""

    def __init__(
        self, roll_keys: bytes, jobs: int, lines: int, parallel_from: int = PARALLEL_FROM
    ) -> None:
        worker.install(roll_keys)
        self.jobs = max(1, jobs) if lines >= parallel_from else 1
        self._roll_keys = roll_keys
        self._pool: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=_start_method(),
                initializer=worker.install,
                initargs=(self._roll_keys,),
            )
        return self._pool

    def release(self) -> None:
        """Stop the pool's processes (and its thread); the next `map` starts it again."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def map(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        if self.jobs == 1:
            for task in tasks:
                yield fn(task)
            return
        pool = self._started()
        waiting: deque[Future[R]] = deque()
        for task in tasks:
            waiting.append(pool.submit(fn, task))
            if len(waiting) >= 2 * self.jobs:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
