# mypy: warn-unused-ignores
"""Misuses that type checkers must report: checked by mypy and pyright (tests/typing/test_typing.py).

Every bad line carries the error both checkers must give it: ``# type: ignore[code]`` for mypy, with
``warn-unused-ignores`` (the comment above), and ``# pyright: ignore[rule]`` for pyright, run with
``reportUnnecessaryTypeIgnoreComment`` and without honouring ``# type: ignore`` (tests/typing/pyrightconfig.json).
A misuse that a checker stops reporting, e.g. because a type widened to ``Any``, leaves its comment unused, and an
unused comment is an error. Nothing here runs: pytest does not collect this file and the functions are never called.
"""

from __future__ import annotations

from parallelize import config, io_bound, parallel_for, rng, worker_state


@parallel_for
def simulate(trial: int, n_steps: int = 100) -> float:
    return float(trial * n_steps)


@parallel_for(n_jobs=2)
def scale(x: float, *, factor: float) -> float:
    return x * factor


@io_bound(max_concurrency=8)
def fetch(url: str) -> bytes:
    return url.encode()


@parallel_for
def keyword_only(*, x: int) -> int:
    return x


class Model:
    pass


class Evaluator:
    @parallel_for
    def run(self, x: int) -> float:
        return float(x)

    @parallel_for
    @classmethod
    def build(cls, factor: float) -> Evaluator:
        return cls()


def check_plain_calls() -> None:
    simulate("3")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    simulate(3, steps=10)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    fetch(b"https://example.org")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    Evaluator().run("3")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    _text: str = simulate(3)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]


def check_map_items_and_broadcast_arguments() -> None:
    simulate.map(["a", "b"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    simulate.map(range(3), "many")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    simulate.map(range(3), n_steps="many")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    simulate.imap(range(3), n_steps=1.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    scale.map([1.0], factor="2")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    scale.map([1.0])  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    fetch.map(["u"], 3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    Evaluator().run.map(["a"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    # Read on the class, a method maps over instances, and its own argument is missing.
    Evaluator.run.map([1])  # type: ignore[call-arg, list-item]  # pyright: ignore[reportCallIssue]
    Evaluator.build.map(["2"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    simulate.submit("7")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # The function takes no positional argument, so there is nothing to map over.
    keyword_only.map([1])  # type: ignore[misc, call-overload]  # pyright: ignore[reportAttributeAccessIssue]
    _results: list[str] = simulate.map(range(3))  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]


def check_decorator_and_config_options() -> None:
    parallel_for(n_jobs="4")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    io_bound(on_error="ignore")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    config(n_jobs="4")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    config("serial")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


def check_task_helpers() -> None:
    rng().no_such_method()  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
    _model: Model = worker_state(str)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
