"""The one thread that talks to a PKCS#11 module.

python-pkcs11 initialises a module with ``C_Initialize(NULL)``, which tells the
module that the application will not call it from several threads at once;
SoftHSM then runs without locks. So every call into one module (every token
it serves, every session, every signature) runs on one dedicated thread: a
:class:`TokenWorker`. Callers on any thread hand it a function and either
wait for the result (:meth:`TokenWorker.call`: the result comes back, or the
exception is raised in the caller) or get a ``Future`` (:meth:`submit`) so a
user interface never blocks on a token that waits for a touch.

The worker runs whatever it is given, in order; it knows nothing of tokens.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, NoReturn, ParamSpec, TypeVar

from hsm.pkcs11.errors import WorkerClosedError

Params = ParamSpec("Params")
Result = TypeVar("Result")


class _Job(Generic[Result]):
    """One call for the worker: its result or error is handed back through
    ``done`` (a lock the caller waits on) or through ``future``."""

    __slots__ = ("fn", "args", "kwargs", "result", "error", "done", "future")
    result: Result  # set by run() when the call returns

    def __init__(
        self,
        fn: Callable[..., Result],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        future: Future[Result] | None = None,
    ) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.error: BaseException | None = None
        self.future = future
        self.done = threading.Lock()  # held until the call is over, unless a future waits
        if future is None:
            self.done.acquire()

    def run(self) -> None:
        if self.future is not None:
            if not self.future.set_running_or_notify_cancel():
                return
            try:
                self.future.set_result(self.fn(*self.args, **self.kwargs))
            except BaseException as error:  # handed to the waiting caller
                self.future.set_exception(error)
            return
        try:
            self.result = self.fn(*self.args, **self.kwargs)
        except BaseException as error:  # handed to the waiting caller
            self.error = error
        finally:
            self.done.release()


def _refuse_closed(name: str) -> NoReturn:
    raise WorkerClosedError(
        f"the connection to the PKCS#11 module ({name}) was closed",
        "open the token again",
    )


class TokenWorker:
    """A dedicated thread with a queue of calls, run one at a time in order."""

    def __init__(self, name: str = "pkcs11") -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            job.run()
        # Calls queued after close() are refused rather than left waiting.
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job.fn = _refuse_closed
                job.args, job.kwargs = (self.name,), {}
                job.run()

    @property
    def on_worker_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def _check_open(self) -> None:
        if self._closed:
            _refuse_closed(self.name)

    def call(
        self, fn: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Result:
        """Run ``fn`` on the worker thread and return its result (or raise
        its exception here). Called from the worker thread itself, it runs
        ``fn`` at once, so work already on the thread never deadlocks."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        self._check_open()
        job = _Job(fn, args, kwargs)
        self._jobs.put(job)
        job.done.acquire()
        if job.error is not None:
            error, job.error = job.error, None
            try:
                raise error
            finally:
                del error
        return job.result

    def submit(
        self, fn: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs
    ) -> Future[Result]:
        """Queue ``fn`` and return at once with a ``Future`` for its result."""
        self._check_open()
        future: Future[Result] = Future()
        if threading.current_thread() is self._thread:
            _Job(fn, args, kwargs, future).run()
            return future
        self._jobs.put(_Job(fn, args, kwargs, future))
        return future

    def close(self, timeout: float | None = 10.0) -> None:
        """Finish the calls already queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def closed(self) -> bool:
        return self._closed
