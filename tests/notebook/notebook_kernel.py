"""The notebook tests' kernel helpers, imported by name by conftest.py and the tests: an ipykernel of this
Python, driven by nbclient.

Nothing is registered globally: the kernel spec lives in a folder the tests make and names ``sys.executable``, so
the kernel runs this environment's Python, and it imports the same ``parallelize`` as the tests (its folder goes
first on the kernel's ``PYTHONPATH``). :meth:`Kernel.run` builds a notebook with nbformat from the given cells,
executes it with nbclient and returns the executed cells.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from subprocess_env import child_env

import parallelize

KERNEL_NAME = "parallelize-tests"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Cell:
    """An executed code cell: its outputs, and the pieces the tests read."""

    def __init__(self, node: Any) -> None:
        self.source: str = node.source
        self.outputs: list[Any] = list(node.outputs)

    @property
    def value(self) -> Any:
        """The cell's result (its last expression), read back with ``ast.literal_eval``."""
        self.raise_error()
        for output in self.outputs:
            if output.output_type == "execute_result":
                return ast.literal_eval(output.data["text/plain"])
        raise AssertionError(f"the cell returned nothing:\n{self.source}\n{self.outputs}")

    @property
    def error(self) -> Any:
        return next((o for o in self.outputs if o.output_type == "error"), None)

    @property
    def traceback(self) -> str:
        """The error output's traceback as IPython shows it, without colours."""
        error = self.error
        assert error is not None, f"the cell raised nothing:\n{self.source}\n{self.outputs}"
        return _ANSI.sub("", "\n".join(error.traceback))

    def raise_error(self) -> None:
        if self.error is not None:
            raise AssertionError(f"the cell raised:\n{self.source}\n{self.traceback}")


class Kernel:
    """A running ipykernel; every :meth:`run` executes a new notebook on it, so state carries over."""

    def __init__(self, spec_dir: Path, env: dict[str, str]) -> None:
        self.manager = AsyncKernelManager(kernel_name=KERNEL_NAME,
                                          kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir)]))
        run_sync(self.manager.start_kernel)(env=env)
        self.pid: int = self.manager.provisioner.pid  # type: ignore[union-attr]
        self.last_notebook: Any = None

    def run(self, *sources: str, timeout: float = 60) -> list[Cell]:
        """Execute ``sources`` as the code cells of one notebook; errors are kept as error outputs."""
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
        client = NotebookClient(notebook, km=self.manager, timeout=timeout, allow_errors=True,
                                kernel_name=KERNEL_NAME)
        try:
            client.execute()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
        nbformat.validate(notebook)
        self.last_notebook = notebook
        return [Cell(node) for node in notebook.cells]

    def interrupt(self) -> None:
        """What the notebook's interrupt button does (SIGINT to the kernel's process group); any thread."""
        asyncio.run(self.manager.interrupt_kernel())

    def shutdown(self) -> None:
        # now=True: a graceful shutdown waits ~2.5 s in ipykernel's rounds of SIGTERM to its children, which the
        # resource trackers ignore; a killed kernel's loky workers exit by themselves within 0.5 s
        # (tests/faults/test_caller_dies.py).
        run_sync(self.manager.shutdown_kernel)(now=True)


def python_environment(cache_dir: str) -> dict[str, str]:
    """The tests' child environment (no PARALLELIZE_* settings), importing the parallelize the tests import."""
    source_root = str(Path(parallelize.__file__).resolve().parent.parent)
    return child_env(cache_dir, PYTHONPATH=os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")])))


def write_kernel_spec(kernels: Path) -> Path:
    """Write a kernel spec for this Python under ``kernels`` (a folder of kernel specs) and return the folder."""
    (kernels / KERNEL_NAME).mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "parallelize tests", "language": "python"}
    (kernels / KERNEL_NAME / "kernel.json").write_text(json.dumps(spec))
    return kernels
