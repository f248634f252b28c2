"""The conformance suite on the serial backend."""

from conformance import ConformanceSuite


class TestSerialConformance(ConformanceSuite):
    backend = "serial"
