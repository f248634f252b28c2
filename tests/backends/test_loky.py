"""The conformance suite on the loky backend."""

from conformance import ConformanceSuite


class TestLokyConformance(ConformanceSuite):
    backend = "loky"
