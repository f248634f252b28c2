"""Compile checks for a named GPU architecture on a machine without a GPU: PTX, then ``ptxas`` for registers.

Flow::

    GPUKernel.compile_ptx(signature, cc=(9, 0))
        argument_types(signature)  -> numba types: arrays of rank ndim, scalars where asked
        numba_cuda.CudaElementwise / CudaGrid .compile_ptx -> the kernel our decorator launches, as PTX (NVRTC + NVVM)
    SourceKernel.compile_ptx(cc=(9, 0))
        nvcc --ptx -arch=sm_90 -> PTX
    both -> assemble(ptx, "sm_90") -> ptxas -v -> registers, spills, shared memory per entry function -> PtxResult

PTX is what a device's driver would load; ``ptxas`` turns it into machine code for the named architecture, as the
driver does, and reports what each kernel uses. Without ``ptxas`` the result says "PTX checked, not assembled".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parallelize._errors import GPUUnavailableError
from parallelize._gpu import detect
from parallelize._gpu.diagnostics import KernelCompileError

__all__ = [
    "Arch",
    "KernelResources",
    "PtxResult",
    "argument_types",
    "arch_name",
    "assemble",
    "compiler_errors",
    "find_ptxas",
    "parse_ptxas",
    "require_compiler",
]

Arch = tuple[int, int] | str

COMPILER_HINT = (
    "the compile check needs numba-cuda with NVRTC and NVVM (the nvidia-cuda-nvrtc and nvidia-nvvm wheels): "
    "pip install 'parallelize[gpu]'"
)
NO_PTXAS = (
    "ptxas not found: PTX checked, not assembled (pip install nvidia-cuda-nvcc, or put the CUDA toolkit's "
    "ptxas on PATH)"
)
_ARCH = re.compile(r"^(?:sm_|compute_)?(?P<major>\d+?)(?P<minor>\d)$")


@dataclass(frozen=True)
class KernelResources:
    """What ``ptxas -v`` reports for one entry function (bytes for memory, per thread except shared)."""

    entry: str
    registers: int
    spill_stores: int
    spill_loads: int
    stack_bytes: int
    shared_bytes: int


@dataclass(frozen=True)
class PtxResult:
    """One kernel compiled for one architecture: the PTX and, where ``ptxas`` ran, what each entry uses.

    Attributes:
        kernel: the kernel's name.
        arch: ``"sm_90"`` and the like.
        ptx: the PTX text (``.target sm_90``).
        compile_s: seconds to produce the PTX.
        assembled: whether ``ptxas`` assembled it (False: not found, see ``note``).
        resources: per entry function, from ``ptxas -v``.
        assemble_s: seconds ``ptxas`` took (0 when it did not run).
        note: why it was not assembled, or "".
    """

    kernel: str
    arch: str
    ptx: str
    compile_s: float
    assembled: bool
    resources: tuple[KernelResources, ...] = ()
    assemble_s: float = 0.0
    note: str = ""

    @property
    def registers(self) -> int | None:
        """The most registers any entry function uses, or None when not assembled."""
        return max((r.registers for r in self.resources), default=None)

    @property
    def spill_bytes(self) -> int | None:
        """Spill stores plus loads over all entry functions, or None when not assembled."""
        return sum(r.spill_stores + r.spill_loads for r in self.resources) if self.resources else None

    @property
    def shared_bytes(self) -> int | None:
        """The most shared memory any entry function declares, or None when not assembled."""
        return max((r.shared_bytes for r in self.resources), default=None)

    def summary(self) -> str:
        """One line: kernel, architecture, registers, spills, shared memory, times."""
        head = f"{self.kernel} [{self.arch}]: PTX in {self.compile_s:.3f} s"
        if not self.assembled:
            return f"{head}; {self.note}"
        return (
            f"{head}; {self.registers} registers, {self.spill_bytes} bytes spilled, "
            f"{self.shared_bytes} bytes shared; ptxas {self.assemble_s:.3f} s"
        ) + (f" ({self.note})" if self.note else "")


def arch_name(cc: Arch) -> str:
    """Return ``"sm_90"`` for ``(9, 0)``, ``"sm_90"``, ``"90"`` or ``"9.0"``.

    Raises:
        ValueError: not a compute capability.
    """
    if isinstance(cc, tuple) and len(cc) == 2 and all(isinstance(p, int) and p >= 0 for p in cc):
        return f"sm_{cc[0]}{cc[1]}"
    match = _ARCH.match(str(cc).replace(".", "")) if isinstance(cc, str) else None
    if match is None:
        raise ValueError(f"cc must be a compute capability such as (9, 0) or 'sm_90', got {cc!r}")
    return f"sm_{match.group('major')}{match.group('minor')}"


def cc_tuple(arch: str) -> tuple[int, int]:
    """Return ``(9, 0)`` for ``"sm_90"``."""
    digits = arch.removeprefix("sm_")
    return int(digits[:-1]), int(digits[-1])


def require_compiler() -> None:
    """Raise :class:`~parallelize.GPUUnavailableError` where numba-cuda's real compiler cannot run here.

    numba chooses between its CUDA simulator and the real target once per process; under the simulator
    ``numba.cuda`` has no compiler, so the check must run in a process started without ``NUMBA_ENABLE_CUDASIM``.
    """
    if detect.simulator_in_process():
        raise GPUUnavailableError(
            "compile_ptx() needs numba-cuda's CUDA compiler, but this process runs numba's CUDA simulator "
            "(NUMBA_ENABLE_CUDASIM=1 at start-up); run the check in a process started without it"
        )
    if not (detect.is_installed("numba") and detect.is_installed("numba.cuda")):
        raise GPUUnavailableError(COMPILER_HINT)


def _missing_library(exc: BaseException) -> BaseException | None:
    """The exception in ``exc``'s chain saying a CUDA compiler library could not be loaded, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        names = {cls.__name__ for cls in type(seen).__mro__}
        if names & {"DynamicLibNotFoundError", "NvvmSupportError", "NvrtcSupportError"}:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


@contextmanager
def compiler_errors() -> Iterator[None]:
    """Turn "libnvrtc / libnvvm not found" while compiling into :class:`~parallelize.GPUUnavailableError`."""
    try:
        yield
    except KernelCompileError:
        raise
    except Exception as exc:
        missing = _missing_library(exc)
        if missing is None:
            raise
        raise GPUUnavailableError(f"{COMPILER_HINT} ({type(missing).__name__}: {missing})") from exc


def argument_types(
    name: str, params: Sequence[str], signature: Any, scalars: Sequence[str], ndim: int
) -> tuple[list[Any], Any]:
    """Turn a signature into numba argument types (and the return type, or None) for the compile check.

    Every parameter is a C-contiguous array of rank ``ndim`` of the signature's dtype, which is what a call
    with numpy arrays compiles, except the ones named in ``scalars``; an array type written in the signature
    (``"void(float32[:, ::1], float32)"``) is kept as written.

    Raises:
        ValueError: no signature, an unknown name in ``scalars``, or the wrong number of types.
    """
    from numba.core import sigutils, types

    if signature is None:
        raise ValueError(
            f"kernel {name!r}: compile_ptx() needs a signature such as 'float32(float32, float32)' "
            "(one type per parameter) or the decorator's signature="
        )
    unknown = sorted(set(scalars) - set(params))
    if unknown:
        raise ValueError(f"kernel {name!r} has no parameter(s) {unknown} (scalars= names parameters)")
    if ndim < 1:
        raise ValueError(f"ndim must be >= 1, got {ndim}")
    try:
        args, ret = sigutils.normalize_signature(signature)  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise ValueError(f"signature={signature!r} is not a numba signature: {exc}") from None
    if params and len(args) != len(params):
        raise ValueError(f"kernel {name!r} takes {len(params)} parameters; the signature gives {len(args)} types")
    converted = []
    for param, arg in zip(params, args, strict=False):
        if param in scalars or isinstance(arg, types.Array):
            converted.append(arg)
        else:
            converted.append(types.Array(arg, ndim, "C"))
    return converted, (None if ret is None or ret == types.none else ret)


def find_ptxas() -> list[str]:
    """Return the ``ptxas`` executables to try: the nvidia-cuda-nvcc wheel's first (the same CUDA release as the
    NVVM wheel that wrote the PTX), then the one on PATH."""
    import importlib.util

    found: list[str] = []
    try:  # the namespace package of NVIDIA's CUDA wheels, found without importing it
        spec = importlib.util.find_spec("nvidia")
    except (ImportError, ValueError):
        spec = None
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        for candidate in sorted(Path(root).glob("*/bin/ptxas")):
            if os.access(candidate, os.X_OK):
                found.append(str(candidate))
    on_path = shutil.which("ptxas")
    if on_path is not None and on_path not in found:
        found.append(on_path)
    return found


_ENTRY = re.compile(r"Compiling entry function '(?P<name>[^']+)'")
_PROPERTIES = re.compile(r"Function properties for (?P<name>\S+)")
_FRAME = re.compile(
    r"(?P<stack>\d+) bytes stack frame, (?P<stores>\d+) bytes spill stores, (?P<loads>\d+) bytes spill loads"
)
_USED = re.compile(r"Used (?P<registers>\d+) registers")
_SMEM = re.compile(r"(?P<smem>\d+) bytes smem")


def parse_ptxas(output: str) -> tuple[KernelResources, ...]:
    """Return the resources of each entry function in ``ptxas -v`` output (device functions are left out)."""
    frames: dict[str, tuple[int, int, int]] = {}
    used: dict[str, tuple[int, int]] = {}
    entries: list[str] = []
    entry = properties = ""
    for line in output.splitlines():
        if match := _ENTRY.search(line):
            entry = match.group("name")
            entries.append(entry)
        elif match := _PROPERTIES.search(line):
            properties = match.group("name")
        elif match := _FRAME.search(line):
            frames[properties] = (int(match["stack"]), int(match["stores"]), int(match["loads"]))
        elif (match := _USED.search(line)) and entry:
            smem = _SMEM.search(line)
            used[entry] = (int(match["registers"]), int(smem["smem"]) if smem else 0)
    return tuple(
        KernelResources(
            entry=name,
            registers=used.get(name, (0, 0))[0],
            spill_stores=frames.get(name, (0, 0, 0))[1],
            spill_loads=frames.get(name, (0, 0, 0))[2],
            stack_bytes=frames.get(name, (0, 0, 0))[0],
            shared_bytes=used.get(name, (0, 0))[1],
        )
        for name in entries
    )


def _run_ptxas(ptxas: str, arch: str, module: Path, relocatable: bool) -> subprocess.CompletedProcess[str]:
    command = [ptxas, f"-arch={arch}", "-v", *(["-c"] if relocatable else []), str(module)]
    output = str(module.with_suffix(".cubin"))
    return subprocess.run([*command, "-o", output], capture_output=True, text=True, check=False)


def assemble(kernel: str, arch: str, modules: Sequence[str], compile_s: float) -> PtxResult:
    """Assemble PTX ``modules`` with ``ptxas -arch=arch -v`` and return the result with each entry's resources.

    ``modules[0]`` holds the kernel; more than one happens where numba-cuda keeps device functions in modules
    of their own (kernels compiled with ``debug=True``), which a device links when it loads them: each is then
    assembled on its own with ``ptxas -c``, and an entry's registers include what the call to the other module
    needs. A ``ptxas`` older than the PTX (``Unsupported .version``) is passed over for the next one found.

    Raises:
        KernelCompileError: ``ptxas`` rejects the PTX (the message has its output).
    """
    ptx = modules[0]
    candidates = find_ptxas()
    if not candidates:
        return PtxResult(kernel, arch, ptx, compile_s, False, note=NO_PTXAS)
    too_old: list[str] = []
    relocatable = len(modules) > 1
    with tempfile.TemporaryDirectory(prefix="parallelize-ptx-") as folder:
        paths = [Path(folder) / f"module{i}.ptx" for i in range(len(modules))]
        for path, text in zip(paths, modules, strict=True):
            path.write_text(text)
        for ptxas in candidates:
            started = time.perf_counter()
            outputs = []
            for path in paths:
                done = _run_ptxas(ptxas, arch, path, relocatable)
                outputs.append(done.stdout + done.stderr)
                if done.returncode != 0:
                    break
            elapsed = time.perf_counter() - started
            if done.returncode == 0:
                note = ""
                if relocatable:
                    note = f"{len(modules)} PTX modules (device functions kept apart), each assembled with ptxas -c"
                resources = parse_ptxas("\n".join(outputs))
                return PtxResult(kernel, arch, ptx, compile_s, True, resources, elapsed, note)
            if "Unsupported .version" in outputs[-1]:
                too_old.append(f"{ptxas} ({outputs[-1].strip().splitlines()[0]})")
                continue
            raise KernelCompileError(
                f"kernel {kernel!r}: ptxas rejects the PTX for {arch}:\n{outputs[-1].strip()}", kernel, "<ptx>"
            )
    return PtxResult(
        kernel, arch, ptx, compile_s, False,
        note="PTX checked, not assembled: every ptxas found is older than the PTX: " + "; ".join(too_old)
        + " (install the ptxas of the same CUDA release: pip install nvidia-cuda-nvcc)",
    )  # fmt: skip
