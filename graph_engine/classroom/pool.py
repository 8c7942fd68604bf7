"""Grading many files in worker processes, each within a time and a memory limit.

Each worker is a fresh interpreter (``spawn``) that imports torch and reads
the exercise once, caps its own address space (``RLIMIT_AS``) and then grades
file after file. A file that runs past the time limit gets its worker killed;
one that runs out of memory or crashes the worker loses that worker; either
way the file gets a row with the reason (and the points its checks earned
before the network ran) and a new worker takes the next file. Messages are
JSON over a pipe, bounded in size: nothing a worker sends is unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from ..core.files import human_size
from ..core.text import error_message, out_of_memory
from ..training.kernel import loading
from .exercise import Exercise
from .grading import FileResult, completed

DEFAULT_MEMORY = 2 << 30  # address space a worker may add to what it has after start-up
START_SECONDS = 300.0  # a worker that is not ready by then (importing torch) is broken
MAX_MESSAGE = 8 << 20  # bytes of one message from a worker
START_FAILURES = 3  # workers in a row that die before they are ready: give up
ONE_LINE = 300
PARENT_CHECK = 0.5  # seconds between a worker's looks at whether the grader is still there


class GradingError(RuntimeError):
    """Grading cannot run at all (a worker cannot start, or cannot read the exercise)."""


# ------------------------------------------------------------------ the worker

def worker_main(conn: Connection, exercise_path: str, memory: int, parent: int = 0) -> None:
    """A worker's life: start, say ready, grade each file it is sent, until the pipe
    closes or ``parent`` (the grader's process id) is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if parent:
        threading.Thread(target=_outlive_no_parent, args=(parent,), daemon=True).start()
    try:
        grade_steps, exercise, free = _start(exercise_path, memory)
        _limit_memory(memory)
    except BaseException as error:  # noqa: BLE001 - told to the parent, which gives up
        with contextlib.suppress(OSError):
            _send(conn, {"type": "broken", "reason": error_message(error, ONE_LINE)})
        return
    try:
        _send(conn, {"type": "ready", "free": sorted(free)})
    except OSError:  # the parent hung up while this worker started: nothing to do
        return
    while True:
        try:
            request = json.loads(conn.recv_bytes(MAX_MESSAGE))
        except (EOFError, OSError):
            return
        try:
            if not _grade_one(conn, grade_steps, exercise, request, memory):
                return  # after a failure this process may be damaged: the parent starts another
        except OSError:  # the parent hung up (it stopped waiting for this file)
            return


def _outlive_no_parent(parent: int) -> None:
    """End this worker once the grader that started it is gone (killed, say, where it
    could not end its workers itself): only the grader holds the time limit, so an
    orphan would train on with none."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def _start(exercise_path: str, memory: int):
    """Import what grading needs once, so no file's time limit pays for it: torch,
    torch._dynamo, which the optimizers import on their first step (1-3 s), and
    the whole-epoch training kernel (from numba's cache; the grader compiles it
    when it is not there); and grade the exercise's untouched start (its network
    is then known to the worker's cache)."""
    import torch
    import torch._dynamo

    from ..build import compiler  # noqa: F401
    from ..training import probes, trainer  # noqa: F401
    from .exercise import load
    from .grading import grade_steps, start_passes
    from .network import NetworkCache, dataset

    torch.set_num_threads(1)
    exercise = load(exercise_path)
    dataset(exercise.dataset)
    loading.start(compile_missing=False)
    kernel = loading.settle() is not None  # as the pool decides: in numba's cache or not
    cache = NetworkCache()
    free = start_passes(exercise, memory, cache, kernel)
    return functools.partial(grade_steps, cache=cache), exercise, free


def _grade_one(conn: Connection, grade_steps, exercise: Exercise, request: dict,
               memory: int) -> bool:
    try:
        for result in grade_steps(exercise, request["file"], request["plot"], memory,
                                  kernel=request["kernel"]):
            _send(conn, {"type": "result", "result": result.to_message()})
    except Exception as error:  # noqa: BLE001 - one row, the run goes on
        if out_of_memory(error):  # MemoryError, or torch's allocator saying so
            _send(conn, {"type": "failed", "short": "out of memory",
                         "reason": f"ran out of memory (the limit is {human_size(memory)} "
                         "beyond the grader's own)"})
        else:
            _send(conn, {"type": "failed", "short": "grading failed",
                         "reason": f"grading failed: {error_message(error, ONE_LINE)}"})
        return False
    _send(conn, {"type": "done"})
    return True


def _send(conn: Connection, message: dict) -> None:
    conn.send_bytes(json.dumps(message, allow_nan=False).encode("utf-8"))


def _limit_memory(memory: int) -> None:
    """Cap this process's address space at what it uses now plus ``memory``."""
    try:
        import resource
    except ImportError:  # not on this system (Windows): the time limit still holds
        return
    used = _address_space()
    if used is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


# ------------------------------------------------------------------ the parent

@dataclass
class Job:
    index: int
    file: str
    started: float
    partial: FileResult | None = None


class Worker:
    """One worker process, the pipe to it, and the file it grades."""

    def __init__(self, context, exercise_path: str, memory: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker_main, daemon=True,
                                       args=(child, exercise_path, memory, os.getpid()))
        self.process.start()
        child.close()
        self.born = time.monotonic()
        self.ready = False
        self.job: Job | None = None

    def assign(self, index: int, file: str, plot: bool, kernel: bool) -> None:
        self.job = Job(index, file, time.monotonic())
        _send(self.conn, {"file": file, "plot": plot, "kernel": kernel})

    def messages(self) -> list[dict]:
        """Every message waiting; EOFError once the worker is gone."""
        found = []
        while self.conn.poll():
            found.append(json.loads(self.conn.recv_bytes(MAX_MESSAGE)))
        return found

    @property
    def dead(self) -> bool:
        return self.conn.closed

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        if not self.conn.closed:
            self.conn.close()

    def hang_up(self) -> None:
        """Close the pipe: a worker waiting for a file then finishes."""
        if not self.conn.closed:
            self.conn.close()

    def close(self) -> None:
        """Ask the worker to finish, then make sure it has."""
        self.hang_up()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


class Pool:
    """Grade files with ``jobs`` workers; :meth:`run` returns one result per file, in order."""

    def __init__(self, exercise: Exercise, exercise_path: str, jobs: int = 1,
                 timeout: float = 60.0, memory: int = DEFAULT_MEMORY, plot: bool = False) -> None:
        self.exercise, self.exercise_path = exercise, os.path.abspath(exercise_path)
        self.jobs, self.timeout, self.memory, self.plot = max(1, jobs), timeout, memory, plot
        self.context = multiprocessing.get_context("spawn")
        self.failed_starts = 0
        self.free: frozenset[str] | None = None  # the checks the untouched start passes
        self.kernel: bool | None = None  # the whole-epoch kernel trains every file, or none
        loading.start()  # beside the workers' start (and compiled, if it must be, for later)

    def run(self, files: Sequence[str],
            on_result: Callable[[FileResult], object] | None = None) -> list[FileResult]:
        results: list[FileResult | None] = [None] * len(files)
        pending = deque(enumerate(files))
        workers: list[Worker] = []
        try:
            while pending or any(w.job for w in workers):
                workers = self._staffed(workers, len(pending))
                for worker in workers:
                    if worker.ready and worker.job is None and pending:
                        worker.assign(*pending.popleft(), self.plot, self._kernel())
                self._wait(workers)
                for worker in workers:
                    job = worker.job
                    result = self._service(worker)
                    if job is not None and result is not None:
                        result.file, worker.job = job.file, None
                        results[job.index] = result
                        if on_result is not None:
                            on_result(result)
        except BaseException:  # Ctrl-C, a signal: nothing more is kept, end them at once
            for worker in workers:
                worker.stop()
            raise
        finally:
            for worker in workers:  # all at once: each takes a while to exit
                worker.hang_up()
            for worker in workers:
                worker.close()
        return [r for r in results if r is not None]

    def _kernel(self) -> bool:
        """Whether the whole-epoch kernel trains this run's files: decided once, as
        the first file goes out, from whether it is in numba's cache (its load began
        with the pool), so every file trains on the same path."""
        if self.kernel is None:
            self.kernel = loading.settle() is not None
        return self.kernel

    def _staffed(self, workers: list[Worker], pending: int) -> list[Worker]:
        """The live workers, plus new ones while there is work for more."""
        alive = [w for w in workers if not w.dead]
        needed = min(self.jobs, pending + sum(1 for w in alive if w.job))
        while len(alive) < needed:
            alive.append(self._spawn())
        return alive

    def _spawn(self) -> Worker:
        if self.failed_starts >= START_FAILURES:
            raise GradingError(f"{START_FAILURES} grading processes in a row stopped before "
                               "they were ready")
        return Worker(self.context, self.exercise_path, self.memory)

    def _wait(self, workers: list[Worker]) -> None:
        now, ends = time.monotonic(), []
        for worker in workers:
            ends.append(worker.job.started + self.timeout if worker.job else
                        worker.born + START_SECONDS if not worker.ready else now + 1.0)
        handles: list = [w.conn for w in workers]
        handles += [w.process.sentinel for w in workers]
        wait(handles, timeout=max(0.0, min(ends, default=now) - now))

    def _service(self, worker: Worker) -> FileResult | None:
        """Read what ``worker`` sent; return its job's final result when there is one
        (also when the job failed or ran out of time)."""
        job = worker.job
        try:
            for message in worker.messages():
                final = self._message(worker, message)
                if final is not None:
                    return final
        except (EOFError, OSError, ValueError, KeyError, TypeError):
            worker.stop()
            return self._lost(worker, "the grading process stopped unexpectedly"
                              f"{_exit_text(worker.process.exitcode)}", "the grader stopped")
        if job is not None and time.monotonic() - job.started > self.timeout:
            worker.stop()
            return self._lost(worker, f"timed out: grading took longer than "
                              f"{self.timeout:g} s", "timed out")
        if not worker.ready and time.monotonic() - worker.born > START_SECONDS:
            worker.stop()
            raise GradingError(f"a grading process was not ready after {START_SECONDS:g} s")
        return None

    def _message(self, worker: Worker, message: dict) -> FileResult | None:
        kind, job = message["type"], worker.job
        if kind == "ready":
            worker.ready, self.failed_starts = True, 0
            self.free = frozenset(str(c) for c in message.get("free", []))
        elif kind == "broken":
            raise GradingError(f"the grader cannot start: {message['reason']}")
        elif job is None:
            raise ValueError(f"a message with no file being graded: {kind}")
        elif kind == "result":
            job.partial = FileResult.from_message(message["result"])
        elif kind == "done" and job.partial is not None:
            job.partial.seconds = time.monotonic() - job.started
            return job.partial
        elif kind == "failed":  # the worker exits after a failure: none of its files more
            worker.stop()
            return self._lost(worker, str(message["reason"]), str(message["short"]))
        else:
            raise ValueError(f"an unexpected message: {kind}")
        return None

    def _lost(self, worker: Worker, reason: str, short: str) -> FileResult | None:
        job = worker.job
        if job is None:
            if not worker.ready:
                self.failed_starts += 1
            return None
        result = completed(self.exercise, job.partial, job.file, reason, short)
        result.seconds = time.monotonic() - job.started
        return result


def _exit_text(code: int | None) -> str:
    if code is None or code == 0:
        return ""
    if code < 0:
        return f" (killed by signal {-code}; the operating system may have run out of memory)"
    return f" (exit status {code})"
