"""One behaviour suite that every backend must pass; bound to each backend by a subclass setting ``backend``.

Every test compares the backend's run with the serial (plain Python) result on the same inputs.
"""

from __future__ import annotations

import itertools
from concurrent.futures import Future
from typing import Any, ClassVar

import pytest
import tasks
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parallelize
from parallelize import TaskFailures, parallel_for


class ConformanceSuite:
    backend: ClassVar[str] = "serial"
    n_jobs: ClassVar[int] = 2

    def deco(self, fn: Any, **options: Any) -> Any:
        options.setdefault("n_jobs", self.n_jobs)
        return parallel_for(backend=self.backend, **options)(fn)

    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors])
    @given(st.lists(st.integers(-10**6, 10**6), max_size=60), st.sampled_from(["auto", 1, 3, 7]))
    def test_map_equals_serial_in_input_order(self, items: list[int], batch_size: Any) -> None:
        f = self.deco(tasks.square, batch_size=batch_size)
        assert f.map(items) == [tasks.square(x) for x in items]

    def test_map_of_slow_tasks_finishing_out_of_order_keeps_input_order(self) -> None:
        delays = [0.05, 0.0, 0.03, 0.0, 0.01, 0.0]
        f = self.deco(tasks.sleep_for, batch_size=1)
        assert f.map(delays) == delays

    def test_broadcast_args_and_kwargs_reach_every_task(self) -> None:
        f = self.deco(tasks.add, batch_size=2)
        assert f.map(range(10), 5, z=100) == [tasks.add(x, 5, z=100) for x in range(10)]

    def test_starmap_unpacks_items(self) -> None:
        pairs = [(i, i + 1) for i in range(12)]
        assert self.deco(tasks.add).starmap(pairs, z=1) == [tasks.add(a, b, z=1) for a, b in pairs]

    def test_empty_input_gives_empty_list(self) -> None:
        assert self.deco(tasks.square).map([]) == []
        assert list(self.deco(tasks.square).imap(iter([]))) == []

    def test_imap_consumes_an_endless_generator_lazily(self) -> None:
        pulled = []

        def source():
            for i in itertools.count():
                pulled.append(i)
                yield i

        f = self.deco(tasks.square, batch_size=2)
        first = list(itertools.islice(f.imap(source()), 20))
        assert first == [i * i for i in range(20)]
        assert len(pulled) < 20 + 2 * 2 * 8  # bounded read-ahead, not the whole (endless) input

    def test_imap_unordered_yields_every_result_once(self) -> None:
        f = self.deco(tasks.slow_square, batch_size=1)
        out = list(f.imap_unordered(range(15), 0.001))
        assert sorted(out) == sorted(x * x for x in range(15))

    def test_submit_returns_a_standard_future(self) -> None:
        future = self.deco(tasks.add).submit(2, 3, z=4)
        assert isinstance(future, Future)
        assert future.result(timeout=60) == 9

    def test_task_exception_keeps_its_type_and_names_the_task(self) -> None:
        f = self.deco(tasks.fail_on, batch_size=2)
        with pytest.raises(KeyError) as info:
            f.map(range(8), bad=5)
        notes = getattr(info.value, "__notes__", [])
        assert any("task 5" in n and "item 5" in n for n in notes)

    def test_collect_runs_everything_and_groups_failures_with_results(self) -> None:
        f = self.deco(tasks.fail_on, on_error="collect", batch_size=3)
        with pytest.raises(TaskFailures) as info:
            f.map(range(10), bad=4)
        group = info.value
        assert group.failed_indices == [4]
        assert [r for i, r in enumerate(group.results) if i != 4] == [x for x in range(10) if x != 4]
        assert isinstance(group.exceptions[0], KeyError)

    def test_collect_without_failures_returns_the_list(self) -> None:
        assert self.deco(tasks.square, on_error="collect").map(range(5)) == [0, 1, 4, 9, 16]

    @pytest.mark.parametrize("n_jobs,batch_size", [(1, "auto"), (2, 1), (2, 4)])
    def test_seeded_streams_equal_the_serial_run(self, n_jobs: int, batch_size: Any) -> None:
        f = parallel_for(backend=self.backend, n_jobs=n_jobs, seed=11, batch_size=batch_size)(tasks.random_draws)
        g = parallel_for(backend="serial", seed=11)(tasks.random_draws)
        ours, reference = f.map(range(9)), g.map(range(9))
        assert [r[0] for r in ours] == [r[0] for r in reference]
        assert len({r[0] for r in ours}) == 9  # independent streams, not one repeated
        if self.backend != "threads":  # threads share the global generators: only rng() is per task there
            assert ours == reference

    @pytest.mark.parametrize("n_jobs", [1, 2])
    def test_progress_bar_counts_every_task(self, capsys: pytest.CaptureFixture[str], n_jobs: int) -> None:
        f = parallel_for(backend=self.backend, n_jobs=n_jobs, progress=True)(tasks.square)
        assert f.map(range(30)) == [x * x for x in range(30)]
        assert "30/30" in capsys.readouterr().err
        assert list(f.imap(iter(range(7)))) == [x * x for x in range(7)]
        assert "7task" in capsys.readouterr().err  # unknown length: a counter

    def test_init_runs_per_worker_and_tasks_see_its_state(self) -> None:
        f = self.deco(tasks.use_model, init=tasks.load_model, batch_size=1)
        out = f.map(range(6))
        assert [v for v, _ in out] == [3 * x for x in range(6)]

    def test_worker_state_outside_a_task_says_what_to_do(self) -> None:
        with pytest.raises(RuntimeError, match="init="):
            parallelize.worker_state()
