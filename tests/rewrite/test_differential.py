"""Loop mode equals the serial loop (issue 3): every legacy function, decorated at test time, on every backend.

Each function in ``legacy_functions.py`` is called undecorated and decorated on the same (fresh) inputs; the
return value, the exception (type and message) and the final state of every argument must be identical:
``==`` for plain values, ``np.array_equal`` plus dtype for arrays, and exact equality for floats (collections
and reductions are replayed in iteration order, so even float sums are bit-identical).
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import legacy_functions as L
import numpy as np
import pytest
import timed_loops as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parallelize import ParallelizeWarning, SharedStateError, io_bound, parallel_for

#: How each run is decorated. "loky" may run a loop's first, cheap iterations in the caller (bounded; see
#: ``_rewrite/plan.py``); "loky-dispatched" (an explicit batch_size) sends every iteration to a worker and back.
BACKENDS: dict[str, Callable[..., Any]] = {
    "serial": lambda **kw: parallel_for(backend="serial", **kw),
    "threads": lambda **kw: parallel_for(backend="threads", n_jobs=2, **kw),
    "loky": lambda **kw: parallel_for(backend="loky", n_jobs=2, **kw),
    "loky-dispatched": lambda **kw: parallel_for(backend="loky", n_jobs=2, batch_size=1, **kw),
    "io_bound": lambda **kw: io_bound(max_concurrency=3, **kw),
}


def same(a: Any, b: Any) -> bool:
    """Exact structural equality: types match, arrays equal with the same dtype, floats bit-for-bit (NaN too)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, (float, np.floating)):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)  # insertion order too
    if isinstance(a, Iterator):
        return True  # a consumed generator or iterator: nothing left to compare
    return bool(a == b)


def fresh(spec: Any) -> tuple[Any, ...]:
    return spec() if callable(spec) else copy.deepcopy(spec)


def outcome(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """What a call did: its result or its exception (type and message), and its arguments afterwards."""
    try:
        result = fn(*args, **(kwargs or {}))
    except Exception as exc:  # the exception is part of the observable behaviour
        return ("raised", type(exc), str(exc), args)
    return ("returned", result, args)


def assert_same_outcome(plain: tuple[Any, ...], parallel: tuple[Any, ...]) -> None:
    assert same(plain, parallel), f"\nserial:   {plain!r}\nparallel: {parallel!r}"


def cases() -> list[Any]:
    params = []
    for case in L.REGISTRY:
        for n in range(len(case.inputs)):
            for backend in BACKENDS:
                marks = []
                if case.bug is not None and (case.bug[1] is None or backend in case.bug[1]):
                    marks.append(pytest.mark.xfail(strict=True, reason=case.bug[0]))
                params.append(pytest.param(case, n, backend, marks=marks, id=f"{case.name}-{n}-{backend}"))
    return params


def test_there_are_at_least_60_legacy_functions() -> None:
    working = [c for c in L.REGISTRY if c.bug is None or c.bug[1] is not None]
    assert len(working) >= 60
    assert len({c.name for c in L.REGISTRY}) == len(L.REGISTRY)


@pytest.mark.parametrize(("case", "n", "backend"), cases())
def test_loop_mode_equals_the_plain_function(case: L.Legacy, n: int, backend: str) -> None:
    decorated = BACKENDS[backend](**case.options)(case.fn)
    assert decorated.__wrapped__ is case.fn
    plain = outcome(case.fn, fresh(case.inputs[n]))
    assert_same_outcome(plain, outcome(decorated, fresh(case.inputs[n])))
    # The second call may take the learned path (a loop measured tiny runs in the caller): same answer.
    assert_same_outcome(plain, outcome(decorated, fresh(case.inputs[n])))


def test_exception_in_iteration_k_keeps_the_collections_of_earlier_iterations() -> None:
    for backend, decorate in BACKENDS.items():
        fn = decorate()(L.raises_in_iteration_k)
        for k in (0, 3, 7):
            log: list[int] = []
            with pytest.raises(ValueError, match=f"iteration {k} failed") as info:
                fn([3, 1, 4, 1, 5, 9, 2, 6], log, k)
            assert log == [3, 1, 4, 1, 5, 9, 2, 6][:k], backend
            if backend == "loky":
                # Iterations this small are handed back to the function's own loop after a few probes, so the
                # error is raised by the user's loop itself, exactly as serially, without a task note.
                continue
            assert any(f"task {k}" in note for note in getattr(info.value, "__notes__", [])), backend


def test_failing_iteration_drops_its_own_collections() -> None:
    # Documented (DESIGN "Loop mode", plan.py): when iteration k raises, iterations 0..k-1 are replayed; what
    # iteration k itself collected before raising is not. The serial loop would have kept it.
    def collect_then_fail(xs, log):
        for x in xs:
            log.append(x)
            if x == 3:
                raise ValueError(x)

    for backend, decorate in BACKENDS.items():
        log: list[int] = []
        with pytest.raises(ValueError):
            decorate()(collect_then_fail)([1, 2, 3, 4], log)
        assert log == [1, 2], backend


# --- methods, staticmethod, classmethod, closures --------------------------------------------------------------
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_method_reading_self_and_a_private_attribute(backend: str) -> None:
    class Parallel(L.Scaler):
        scale_all = BACKENDS[backend]()(L.Scaler.scale_all)

    for xs in ([3, 1, 4], [], [2]):
        assert Parallel(5).scale_all(list(xs)) == L.Scaler(5).scale_all(list(xs))
    assert Parallel(5).scale_all.__name__ == "scale_all"


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_staticmethod_and_classmethod(backend: str) -> None:
    class Parallel(L.Scaler):
        factor = 7
        static_squares = BACKENDS[backend]()(L.Scaler.__dict__["static_squares"])
        class_scaled = BACKENDS[backend]()(L.Scaler.__dict__["class_scaled"])

    class Plain(L.Scaler):
        factor = 7

    for xs in ([3, 1, 4, 3], [], [2]):
        assert Parallel.static_squares(list(xs)) == L.Scaler.static_squares(list(xs))
        assert Parallel(1).static_squares(list(xs)) == L.Scaler.static_squares(list(xs))
        assert Parallel.class_scaled(list(xs)) == Plain.class_scaled(list(xs))
        assert Parallel(1).class_scaled(list(xs)) == Plain.class_scaled(list(xs))


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_method_calling_super_before_the_loop(backend: str) -> None:
    class Parallel(L.SuperScaler):
        super_before_loop = BACKENDS[backend]()(L.SuperScaler.super_before_loop)

    assert Parallel(2).super_before_loop([1, 2]) == L.SuperScaler(2).super_before_loop([1, 2])


@pytest.mark.parametrize("backend", ["serial", "loky-dispatched"])
def test_zero_argument_super_in_the_loop_body_is_refused_with_the_fix(backend: str) -> None:
    from parallelize import SharedStateError

    with pytest.raises(SharedStateError, match=r"super\(ClassName, self\)"):
        BACKENDS[backend]()(L.SuperScaler.super_in_loop)


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_closure_reads_its_cells(backend: str) -> None:
    plain = L.make_closure(3, 0.5)
    decorated = BACKENDS[backend]()(L.make_closure(3, 0.5))
    for xs in ([1, 2, 3], [], [9]):
        assert_same_outcome(outcome(plain, (list(xs),)), outcome(decorated, (list(xs),)))


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_function_defined_in_a_test_body(backend: str) -> None:
    def histogram(values, bins):
        counts = {}
        total = 0.0
        for v in values:
            counts[v % bins] = v
            total += v / bins
        return counts, total

    decorated = BACKENDS[backend]()(histogram)
    for values in ([5, 8, 13, 21], []):
        assert_same_outcome(outcome(histogram, (list(values), 3)), outcome(decorated, (list(values), 3)))


# --- loop=N ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", list(BACKENDS))
def test_loop_n_picks_one_of_several_loops(backend: str) -> None:
    # loop=2: the first loop (a running total, loop-carried) stays serial in the caller; the second runs in parallel.
    second = BACKENDS[backend](loop=2)(L.two_loops)
    for xs in ([3, 1, 4, 1, 5], [], [2]):
        assert second(list(xs)) == L.two_loops(list(xs))
    for n in (1, 2):
        fn = BACKENDS[backend](loop=n)(L.two_safe_loops)
        assert fn([3, 1, 4]) == L.two_safe_loops([3, 1, 4])


def test_loop_1_on_a_loop_carried_first_loop_is_refused() -> None:
    with pytest.raises(SharedStateError, match="PAR302"):
        parallel_for(loop=1)(L.two_loops)


# --- seeds and the serial switch -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["serial", "threads", "loky", "loky-dispatched"])
def test_seeded_iteration_i_gets_the_stream_of_map_task_i(backend: str) -> None:
    mapped = BACKENDS[backend](seed=11)(L.draw).map(range(9))
    looped = BACKENDS[backend](seed=11)(L.draws_in_loop)(9)
    assert looped == mapped
    assert len({value for _, value, _ in looped}) == 9
    assert BACKENDS[backend](seed=12)(L.draws_in_loop)(9) != looped


def test_seeded_loop_is_the_same_on_every_backend_and_call() -> None:
    runs = [BACKENDS[b](seed=5)(L.draws_in_loop)(6) for b in ("serial", "threads", "loky", "loky-dispatched")]
    fn = BACKENDS["loky"](seed=5)(L.draws_in_loop)
    runs += [fn(6), fn(6)]
    assert all(run == runs[0] for run in runs)


def test_serial_switch_runs_the_same_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARALLELIZE_BACKEND", "serial")
    for case in L.REGISTRY[:20]:
        decorated = BACKENDS["loky-dispatched"](**case.options)(case.fn)
        for spec in case.inputs:
            assert_same_outcome(outcome(case.fn, fresh(spec)), outcome(decorated, fresh(spec)))


def test_seeded_loop_under_the_serial_switch_keeps_its_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = BACKENDS["loky"](seed=3)(L.draw).map(range(5))
    monkeypatch.setenv("PARALLELIZE_BACKEND", "serial")
    assert BACKENDS["loky"](seed=3)(L.draws_in_loop)(5) == expected


def test_long_loop_with_learning_stays_equal() -> None:
    fn = BACKENDS["loky"]()(L.float_sum_augmented)
    xs = [math.sin(i) * 10 ** (i % 7) for i in range(20_000)]
    for _ in range(3):  # first call measures; later calls may run here
        assert same(fn(xs), L.float_sum_augmented(xs))


# --- hypothesis ------------------------------------------------------------------------------------------------
STRATEGIES = {
    "ints": st.lists(st.integers(-1000, 1000), max_size=25),
    "floats": st.lists(st.floats(-1e12, 1e12, allow_nan=False), max_size=25),
    "small_floats": st.lists(st.floats(0.5, 2.0), max_size=25),
    "words": st.lists(st.text(alphabet="abcé", max_size=4), max_size=12),
}
HYPOTHESIS_CASES = [c for c in L.REGISTRY if c.strategy]


def test_hypothesis_covers_enough_functions() -> None:
    assert len(HYPOTHESIS_CASES) >= 12


@pytest.mark.parametrize("backend", ["threads", "loky-dispatched"])
@pytest.mark.parametrize("case", HYPOTHESIS_CASES, ids=lambda c: c.name)
def test_loop_mode_equals_the_plain_function_on_generated_inputs(case: L.Legacy, backend: str) -> None:
    decorated = BACKENDS[backend]()(case.fn)
    assert case.strategy is not None

    @settings(max_examples=8, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(STRATEGIES[case.strategy])
    def check(xs: list[Any]) -> None:
        assert_same_outcome(outcome(case.fn, (list(xs),)), outcome(decorated, (list(xs),)))

    check()


def test_tiny_iterations_run_in_the_callers_own_loop_and_it_says_so_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression (issue 3): 200,000 trivial iterations cost 59x the serial loop on the first call.
    def squares(n):
        out = []
        total = 0
        for i in range(n):
            out.append(i * i)
            total += i
        return out, total, i

    from parallelize._scheduler import runner as runner_mod

    # A noisy machine may pause one iteration past the slow mark, or the 2,000 past the caller's budget (then the
    # rest goes to workers, with the same result); here both are out of reach, to see the notice.
    monkeypatch.setattr(runner_mod, "SLOW_ITERATION_SECONDS", 10.0)
    monkeypatch.setattr(runner_mod, "CALLER_BUDGET_SECONDS", 10.0)
    decorated = parallel_for(n_jobs=2)(squares)
    with pytest.warns(ParallelizeWarning, match=r"squares's loop ran serially in the caller: its 2000 iterations"):
        assert decorated(2000) == squares(2000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per function
        assert decorated(7) == squares(7)


def test_a_long_loop_of_cheap_iterations_leaves_the_caller_after_its_budget() -> None:
    from parallelize._scheduler import runner as runner_mod

    decorated = parallel_for(n_jobs=2)(T.pid_per_item)
    items = [0.0002] * 2000  # 0.4 s of work in all: more than the caller's budget
    pids = decorated(items)
    assert len(pids) == len(items)
    here = [p for p in pids if p == os.getpid()]
    assert 0 < len(here) < len(items)
    assert len(here) <= runner_mod.CALLER_BUDGET_SECONDS / 0.0002 + 1  # each sleep takes at least 0.2 ms
    assert pids[: len(here)] == here  # the caller ran the first ones, in order; workers ran the rest


@pytest.mark.parametrize("cheap", [1, 3, 6])
def test_cheap_first_iterations_then_slow_ones_go_to_the_workers(cheap: int) -> None:
    decorated = parallel_for(n_jobs=2)(T.pid_per_item)
    items = [0.0] * cheap + [0.03] * 8
    pids = decorated(items)
    assert pids == sorted(pids, key=lambda p: p != os.getpid())  # caller's iterations first, in order
    # The cheap ones and the first slow one (which revealed the cost) ran here; every later one on a worker.
    assert pids[: cheap + 1] == [os.getpid()] * (cheap + 1)
    assert os.getpid() not in pids[cheap + 1:]


def test_iterations_in_the_caller_run_under_the_workers_blas_limit() -> None:
    decorated = parallel_for(n_jobs=2)(T.blas_threads_per_item)
    from threadpoolctl import threadpool_info

    if not any(lib.get("user_api") == "blas" for lib in threadpool_info()):
        pytest.skip("no BLAS library loaded")
    seen = decorated([0.0, 0.0, 0.03, 0.03, 0.03, 0.03])
    assert set(seen) == {1}, seen  # one BLAS thread in every iteration: 2 cores over 2 workers


def scoped_warning_filter(xs):
    out = []
    for x in xs:
        with warnings.catch_warnings():  # scikit-learn's plot_mlp_training_curves: restored when the block ends
            warnings.simplefilter("ignore", RuntimeWarning)
            out.append(float(np.log(np.float64(x))))
    return out


@pytest.mark.parametrize("backend", ["loky-dispatched", "threads"])
def test_a_scoped_warning_filter_leaves_the_callers_filters_as_they_were(backend: str) -> None:
    before = list(warnings.filters)
    if backend == "threads":  # `catch_warnings` swaps the one filter list all threads share
        with pytest.raises(SharedStateError, match="PAR401"):
            BACKENDS[backend]()(scoped_warning_filter)([1.0])
        return
    decorated = BACKENDS[backend]()(scoped_warning_filter)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert same(decorated([1.5, -2.0, 4.0]), scoped_warning_filter([1.5, -2.0, 4.0]))
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert warnings.filters == before
