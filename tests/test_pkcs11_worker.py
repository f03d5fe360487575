"""The token thread: results come back, exceptions are raised in the caller."""

from __future__ import annotations

import threading

import pytest

from hsm.pkcs11.errors import WorkerClosedError
from hsm.pkcs11.worker import TokenWorker


@pytest.fixture
def worker():
    worker = TokenWorker("test-token")
    yield worker
    worker.close()


def test_every_call_runs_on_the_one_worker_thread(worker):
    names = {worker.call(lambda: threading.current_thread().name) for _ in range(20)}
    callers = [threading.Thread(target=lambda: names.add(
        worker.call(lambda: threading.current_thread().name))) for _ in range(8)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert names == {"test-token"}


def test_an_exception_is_raised_in_the_caller(worker):
    def fail():
        raise ValueError("token said no")

    with pytest.raises(ValueError, match="token said no"):
        worker.call(fail)
    assert worker.call(lambda: 42) == 42  # the thread survived


def test_submit_returns_a_future_so_a_screen_never_waits(worker):
    gate = threading.Event()
    future = worker.submit(lambda: gate.wait(5) and "touched")
    assert not future.done()
    gate.set()
    assert future.result(5) == "touched"


def test_work_already_on_the_thread_does_not_deadlock(worker):
    assert worker.call(lambda: worker.call(lambda: "nested")) == "nested"


def test_calls_keep_their_order(worker):
    seen = []
    futures = [worker.submit(seen.append, i) for i in range(100)]
    for future in futures:
        future.result(5)
    assert seen == list(range(100))


def test_a_closed_worker_refuses_new_calls():
    worker = TokenWorker("closing")
    worker.close()
    with pytest.raises(WorkerClosedError, match="was closed"):
        worker.call(lambda: 1)
