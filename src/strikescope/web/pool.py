"""Bounded worker pools for the CPU-heavy requests (check, study, brief, ingest).

Run in the server's default thread pool (40 threads), forty slow requests at once took all
of the interpreter's time: the event loop, and with it every cached read, stopped answering.
Here each kind of heavy work has a few workers and a short queue: a request beyond them is
refused at once (429, with Retry-After), and one that waits or runs past its time budget is
answered 503 while its work finishes in its slot (its result is cached for the next ask,
where the route caches it), so reads keep answering whatever is sent.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from fastapi import HTTPException


class Busy(HTTPException):
    """Every worker of the pool is busy and its queue is full."""


@dataclass
class WorkPool:
    """`workers` threads and up to `queue` requests waiting for one; `budget_s` is how long a
    request waits for its result (None: as long as it takes)."""

    name: str
    workers: int = 2
    queue: int = 4
    budget_s: float | None = 30.0
    _pending: int = field(default=0, init=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False)

    @property
    def pending(self) -> int:
        """Requests running or waiting (counted until their work ends, even past a budget)."""
        return self._pending

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.workers,
                                                thread_name_prefix=f"strikescope-{self.name}")
        return self._executor

    async def run(self, fn, *args, **kwargs):
        """`fn(*args, **kwargs)` in a worker; 429 when the pool is full, 503 past the budget.
        Call from the event loop only (the count is kept there, without a lock)."""
        if self._pending >= self.workers + self.queue:
            raise Busy(429, f"{self.name}: {self._pending} requests are running or waiting; "
                            "try again in a minute", headers={"Retry-After": "30"})
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the request's settings (e.g. raw CSV)
        call = functools.partial(context.run, fn, *args, **kwargs)
        self._pending += 1
        future = loop.run_in_executor(self._pool(), call)
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.budget_s)
        except TimeoutError:
            raise HTTPException(
                503, f"{self.name}: no result within {self.budget_s:g} s; the work goes on "
                     "and a later request may find it done", headers={"Retry-After": "60"},
            ) from None

    def _done(self, future) -> None:
        self._pending -= 1
        if not future.cancelled():
            future.exception()  # retrieved: an error past the budget is not logged as lost

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def default_pools() -> dict[str, WorkPool]:
    """One pool per kind, sized for a small server: a check of a long article or a study
    with many placebo draws takes seconds of CPU each; an ingest writes the store alone."""
    return {
        "check": WorkPool("check", workers=2, queue=4, budget_s=20.0),
        "parse": WorkPool("parse", workers=2, queue=4, budget_s=10.0),
        "study": WorkPool("study", workers=1, queue=4, budget_s=60.0),
        "brief": WorkPool("brief", workers=1, queue=4, budget_s=60.0),
        "ingest": WorkPool("ingest", workers=1, queue=1, budget_s=None),
    }
