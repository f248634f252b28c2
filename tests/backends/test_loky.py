"""The conformance suite on the loky backend."""

from conformance import ConformanceSuite


class TestLokyConformance(ConformanceSuite):
    backend = "loky"


def test_remote_traceback_is_attached_as_the_cause() -> None:
    import pytest
    import tasks

    from parallelize import parallel_for

    f = parallel_for(n_jobs=2, batch_size=1)(tasks.fail_on)
    with pytest.raises(KeyError) as info:
        f.map(range(5), bad=2)
    cause = info.value.__cause__
    assert type(cause).__name__ == "RemoteTraceback"
    assert "fail_on" in str(cause) and "tasks.py" in str(cause)


def test_tasks_run_in_other_processes() -> None:
    import os

    import tasks

    from parallelize import parallel_for

    pids = parallel_for(n_jobs=2, batch_size=1)(tasks.pid).map(range(6))
    assert os.getpid() not in pids
