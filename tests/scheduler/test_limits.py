"""io_bound limits: concurrency cap, rate limit, retries with backoff; async functions with the same limits."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from parallelize import TaskTimeoutError, io_bound
from parallelize._options import parse_rate
from parallelize._scheduler.limits import RateLimiter, backoff_delay


def test_concurrency_never_exceeds_max_concurrency() -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    @io_bound(max_concurrency=5)
    def probe(x: int) -> int:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return x

    assert probe.map(range(40)) == list(range(40))
    assert state["peak"] == 5


def test_rate_limit_spaces_calls() -> None:
    stamps: list[float] = []

    @io_bound(max_concurrency=8, rate="20/s")
    def stamp(x: int) -> int:
        stamps.append(time.monotonic())  # noqa: PAR102 - list.append is atomic; the test sorts afterwards
        return x

    assert stamp.map(range(11)) == list(range(11))
    stamps.sort()
    # 11 calls at 20/s with a burst of one take at least 10 intervals of 50 ms.
    assert stamps[-1] - stamps[0] >= 0.45


def test_retries_recover_from_transient_errors_and_count_attempts() -> None:
    attempts: dict[int, int] = {}
    lock = threading.Lock()

    @io_bound(max_concurrency=4, retries=3)
    def flaky(x: int) -> int:
        with lock:
            attempts[x] = attempts.get(x, 0) + 1
            n = attempts[x]
        if n <= 2:
            raise ConnectionError(f"try {n}")
        return x * 10

    assert flaky.map(range(5)) == [0, 10, 20, 30, 40]
    assert attempts == dict.fromkeys(range(5), 3)


def test_retries_give_up_and_do_not_retry_other_exceptions() -> None:
    calls = {"value": 0, "conn": 0}

    @io_bound(retries=2)
    def bad(kind: str) -> None:
        calls[kind] += 1  # noqa: PAR101 - one item per kind: no two threads write one key
        raise (ValueError if kind == "value" else ConnectionError)(kind)

    with pytest.raises(ValueError):
        bad.map(["value"])
    with pytest.raises(ConnectionError):
        bad.map(["conn"])
    assert calls == {"value": 1, "conn": 3}


@pytest.mark.parametrize("text,expected", [("20/s", 20.0), ("120/min", 2.0), ("3600/h", 1.0), (5, 5.0)])
def test_rate_strings_parse(text: str | int, expected: float) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("bad", ["fast", "0/s", -1, "10/week"])
def test_bad_rates_name_the_value(bad: object) -> None:
    with pytest.raises(ValueError, match="rate="):
        io_bound(rate=bad)  # type: ignore[arg-type]


def test_backoff_doubles() -> None:
    assert backoff_delay(2) == 2 * backoff_delay(1)


def test_rate_limiter_pickles_to_a_fresh_limiter() -> None:
    import pickle

    clone = pickle.loads(pickle.dumps(RateLimiter(4.0)))
    assert clone.rate == 4.0


def test_async_functions_map_with_limits_and_order() -> None:
    active = {"now": 0, "peak": 0}

    @io_bound(max_concurrency=3)
    async def fetch(x: int) -> int:
        active["now"] += 1
        active["peak"] = max(active["peak"], active["now"])
        await asyncio.sleep(0.01 * (x % 3))
        active["now"] -= 1
        return x * 2

    assert fetch.map(range(12)) == [x * 2 for x in range(12)]
    assert active["peak"] == 3


def test_async_timeout_and_retries() -> None:
    tries = {"n": 0}

    @io_bound(timeout=0.1)
    async def slow(x: float) -> float:
        await asyncio.sleep(x)
        return x

    with pytest.raises(TaskTimeoutError):
        slow.map([0.0, 1.0])

    @io_bound(retries=2)
    async def flaky(x: int) -> int:
        tries["n"] += 1
        if tries["n"] < 3:
            raise OSError("transient")
        return x

    assert flaky.map([7]) == [7]


def test_async_map_works_inside_a_running_event_loop() -> None:
    @io_bound
    async def double(x: int) -> int:
        return 2 * x

    async def main() -> list[int]:
        return double.map(range(4))

    assert asyncio.run(main()) == [0, 2, 4, 6]


def test_async_imap_is_lazy_on_an_endless_input() -> None:
    # Regression (issue 11): the async path read 20,002 items of an endless generator before yielding anything.
    pulled = {"n": 0}

    def endless():
        i = 0
        while True:
            pulled["n"] += 1
            yield i
            i += 1

    @io_bound(max_concurrency=4)
    async def double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x

    stream = double.imap(endless())
    first = [next(stream) for _ in range(10)]
    stream.close()
    assert first == [2 * i for i in range(10)]
    assert pulled["n"] <= 10 + 4 + 1  # what was taken, plus at most the window, plus the one being pulled


def test_async_imap_unordered_yields_in_completion_order_and_imap_in_input_order() -> None:
    @io_bound(max_concurrency=4)
    async def wait(delay: float) -> float:
        await asyncio.sleep(delay)
        return delay

    delays = [0.3, 0.0, 0.2, 0.1]
    assert list(wait.imap(delays)) == delays
    assert list(wait.imap_unordered(delays)) == sorted(delays)


def test_async_imap_raises_the_first_failure_in_order_or_collects_it() -> None:
    @io_bound(max_concurrency=3)
    async def check(x: int) -> int:
        await asyncio.sleep(0.01 * (5 - x))
        if x == 2:
            raise ValueError(f"bad {x}")
        return x

    stream = check.imap(range(5))
    assert [next(stream), next(stream)] == [0, 1]
    with pytest.raises(ValueError, match="bad 2"):
        next(stream)
    collected = list(io_bound(max_concurrency=3, on_error="collect")(check.__wrapped__).imap(range(5)))
    assert [type(v) for v in collected] == [int, int, ValueError, int, int]
    assert [v for v in collected if isinstance(v, int)] == [0, 1, 3, 4]


def test_async_imap_stopped_early_cancels_its_tasks_and_leaves_no_thread() -> None:
    started = {"n": 0}

    @io_bound(max_concurrency=2)
    async def slow(x: int) -> int:
        started["n"] += 1
        await asyncio.sleep(0 if x == 0 else 30)
        return x

    before = threading.active_count()
    stream = slow.imap(range(100))
    assert next(stream) == 0
    stream.close()  # must not wait 30 s for the running task
    assert threading.active_count() == before
    assert started["n"] <= 3


def test_submit_starts_no_thread_per_call() -> None:
    # Regression (issue 11): 100 calls of .submit left 100 "parallelize-submit" threads alive at once.
    @io_bound(max_concurrency=4)
    def echo(x: int) -> int:
        return x

    echo.map([0])  # start the pool's threads
    before = threading.active_count()
    futures = [echo.submit(i) for i in range(100)]
    during = threading.active_count()
    assert [f.result(timeout=10) for f in futures] == list(range(100))
    assert during <= before + 4
    assert not [t for t in threading.enumerate() if t.name.startswith("parallelize-submit")]
