"""The conformance suite on the threads backend."""

from conformance import ConformanceSuite


class TestThreadsConformance(ConformanceSuite):
    backend = "threads"
