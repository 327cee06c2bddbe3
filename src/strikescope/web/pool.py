"""Bounded worker pools for the CPU-heavy requests (check, study, brief, ingest).

Run in the server's default thread pool (40 threads), forty slow requests at once took all
of the interpreter's time: the event loop, and with it every cached read, stopped answering.
Here each kind of heavy work has a few workers and a short queue: a request beyond them is
refused at once (429, with Retry-After). Checks, whose input is anyone's text, run in worker
processes and are stopped at their time budget (503); the others run in threads, and one
past its budget is answered 503 while its work finishes in its slot (its result is cached
for the next ask), so reads keep answering whatever is sent.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
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
    start_s: float = 0.0  # added to the budget of the request that starts the workers
    _pending: int = field(default=0, init=False)
    _executor: ThreadPoolExecutor | ProcessPoolExecutor | None = field(default=None,
                                                                        init=False)

    @property
    def pending(self) -> int:
        """Requests running or waiting (counted until their work ends, even past a budget)."""
        return self._pending

    def _pool(self) -> Executor:
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
        budget = self.budget_s
        if budget is not None and self._executor is None:
            budget += self.start_s  # the workers start with this request
        self._pending += 1
        try:
            future = loop.run_in_executor(self._pool(), self._call(fn, args, kwargs))
        except BaseException:
            self._pending -= 1
            raise
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.shield(future), budget)
        except TimeoutError:
            raise HTTPException(503, self._over_budget(),
                                headers={"Retry-After": "60"}) from None

    def _call(self, fn, args, kwargs):
        context = contextvars.copy_context()  # the request's settings (e.g. raw CSV)
        return functools.partial(context.run, fn, *args, **kwargs)

    def _over_budget(self) -> str:
        return (f"{self.name}: no result within {self.budget_s:g} s; the work goes on and a "
                "later request may find it done")

    def _done(self, future) -> None:
        self._pending -= 1
        if not future.cancelled():
            future.exception()  # retrieved: an error past the budget is not logged as lost

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


@dataclass
class ProcessPool(WorkPool):
    """A `WorkPool` of worker processes: their work holds no lock of this interpreter (a
    check of a long text in a thread slowed every read), and work past its budget is
    stopped, not left to run: the pool's processes are ended and started afresh (other
    work in them at that moment fails, 503). `fn` and its arguments must pickle.

    The workers start with the first request (spawned: a new interpreter imports the
    checker, seconds that `start_s` adds to that request's budget), not with the server,
    whose start-up they would slow. As with any spawned worker, a script that serves the
    app must keep its serving code under `if __name__ == "__main__":`, since the workers
    import the main module."""

    start_s: float = 30.0

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._executor

    def _call(self, fn, args, kwargs):
        return functools.partial(fn, *args, **kwargs)

    def _over_budget(self) -> str:
        self.stop()
        return (f"{self.name}: stopped after {self.budget_s:g} s without a result; send a "
                "shorter text")

    def stop(self) -> None:
        """End the worker processes now (their work fails with BrokenProcessPool)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        self.stop()


def default_pools() -> dict[str, WorkPool]:
    """One pool per kind, sized for a small server: a check of a long article or a study
    with many placebo draws takes seconds of CPU each; an ingest writes the store alone."""
    return {
        # One core is left to the server itself (with two, reads waited for the CPU).
        "check": ProcessPool("check", workers=min(4, max(1, (os.cpu_count() or 2) - 1)),
                             queue=4, budget_s=20.0),
        "parse": WorkPool("parse", workers=2, queue=4, budget_s=10.0),
        "study": WorkPool("study", workers=2, queue=4, budget_s=60.0),
        "brief": WorkPool("brief", workers=2, queue=4, budget_s=60.0),
        "ingest": WorkPool("ingest", workers=1, queue=1, budget_s=None),
    }


def run_check(text: str, published, db) -> tuple:
    """A claim check in a worker process: its table and its HTML (both pickle)."""
    from strikescope.web.optional import feature

    result = feature("check", "check")(text, published=published, db=db)
    # the fragment fits a page of the site: no <html>/<body>, styles scoped to it
    return result.to_frame(), getattr(result, "fragment", None) or result.html
