"""What type checkers must infer for the public API: checked by mypy and pyright (tests/typing/test_typing.py).

Nothing here runs: pytest does not collect this file, and the checks sit in functions that are never called, so
importing it is harmless. Every ``assert_type`` fails if the inferred type widens to ``Any``.
"""

from __future__ import annotations

import sys
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from typing import Any

import numpy as np

from parallelize import BackendUnavailableError, ParallelFunction, config, io_bound, parallel_for, rng, worker_state

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type


@parallel_for
def simulate(trial: int, n_steps: int = 100) -> float:
    return float(trial * n_steps)


@parallel_for(n_jobs=2, seed=0, loop=False)
def score(name: str, weights: list[float], *, scale: float = 1.0) -> tuple[str, float]:
    return name, sum(weights) * scale


@io_bound
def fetch(url: str) -> bytes:
    return url.encode()


@io_bound(max_concurrency=4, rate="20/s", retries=3, retry_on=(OSError, BackendUnavailableError), timeout=10)
async def fetch_async(url: str, attempt: int = 0) -> bytes:
    return url.encode()


class Model:
    def predict(self, x: float) -> float:
        return x


class Evaluator:
    def __init__(self, factor: float) -> None:
        self.factor = factor

    @parallel_for
    def run(self, x: int) -> float:
        return x * self.factor

    @classmethod
    @parallel_for
    def build(cls, factor: float) -> Evaluator:
        return cls(factor)

    @parallel_for
    @classmethod
    def build_inner(cls, factor: float) -> Evaluator:
        return cls(factor)

    @staticmethod
    @parallel_for
    def double(x: int) -> int:
        return 2 * x


def check_decorators_keep_the_signature() -> None:
    same_signature: ParallelFunction[[int, int], float] = simulate
    assert_type(same_signature(3, 4), float)
    assert_type(simulate(3), float)
    assert_type(simulate(3, n_steps=10), float)
    assert_type(score("a", [1.0], scale=2.0), tuple[str, float])
    assert_type(fetch("https://example.org"), bytes)
    assert_type(simulate.__wrapped__(3), float)


async def check_async_calls_return_their_coroutine() -> None:
    # A plain call of an async function returns its coroutine, as the undecorated call does.
    coroutine: Coroutine[Any, Any, bytes] = fetch_async("https://example.org")
    assert_type(await coroutine, bytes)
    assert_type(await fetch_async("https://example.org", attempt=2), bytes)


def check_map_methods() -> None:
    assert_type(simulate.map(range(10)), list[float])
    assert_type(simulate.map(range(10), 1_000), list[float])
    assert_type(simulate.map(range(10), n_steps=1_000), list[float])  # broadcast by keyword
    assert_type(simulate.imap(range(10)), Iterator[float])
    assert_type(simulate.imap_unordered(iter([1, 2]), n_steps=5), Iterator[float])
    assert_type(simulate.starmap([(1, 10), (2, 20)]), list[float])
    assert_type(simulate.submit(7, 10_000), Future[float])
    assert_type(simulate.submit(7, n_steps=10_000).result(), float)
    assert_type(score.map(["a", "b"], [0.5], scale=3.0), list[tuple[str, float]])
    assert_type(fetch.map(["u1", "u2"]), list[bytes])
    # .map of an async function awaits each coroutine: the results are the awaited values.
    assert_type(fetch_async.map(["u1", "u2"], attempt=1), list[bytes])
    assert_type(fetch_async.imap(["u1"]), Iterator[bytes])
    assert_type(fetch_async.starmap([("u1", 0)]), list[bytes])
    for value in simulate.imap(range(3)):
        assert_type(value, float)


def check_methods_bind_like_functions() -> None:
    evaluator = Evaluator(2.0)
    assert_type(evaluator.run(3), float)
    assert_type(evaluator.run.map([1, 2, 3]), list[float])
    assert_type(evaluator.run.submit(1), Future[float])
    assert_type(Evaluator.run(evaluator, 3), float)  # read on the class, the instance is the first argument
    assert_type(Evaluator.build(2.0), Evaluator)
    assert_type(evaluator.build(2.0), Evaluator)
    assert_type(Evaluator.build_inner(2.0), Evaluator)
    assert_type(Evaluator.build_inner.map([1.0, 2.0]), list[Evaluator])
    assert_type(evaluator.build_inner.map([1.0]), list[Evaluator])
    assert_type(Evaluator.double(3), int)
    assert_type(Evaluator.double.map([1, 2]), list[int])


def check_config() -> None:
    assert_type(config(backend="threads"), config)  # a plain call sets the global default
    with config(backend="serial", n_jobs=2, strict=True) as scoped:
        assert_type(scoped, config)
    with config(backend="dask", address="tcp://127.0.0.1:8786"):
        pass


def check_task_helpers() -> None:
    assert_type(rng(), np.random.Generator)
    assert_type(worker_state(Model), Model)
    assert_type(worker_state(Model).predict(1.0), float)
    assert_type(worker_state(), Any)  # no class named: what init= returned, unknown to a checker
