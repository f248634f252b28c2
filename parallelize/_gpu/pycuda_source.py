"""CUDA C kernels through pycuda's ``SourceModule``, with the same call convention and launch rules as grid
kernels.

pycuda is an optional extra that builds against the CUDA driver library, so it is imported on the first call
only, and every way that import or the driver's initialisation can fail (``ImportError: libcuda.so.1``,
``pycuda.driver.Error: cuInit failed``, no device) becomes :class:`~parallelize.GPUUnavailableError` with the
reason. ``compile_ptx()`` runs ``nvcc --ptx`` instead, which needs no GPU: compiler errors name the CUDA C
line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from parallelize._errors import GPUUnavailableError
from parallelize._gpu.arguments import is_device_array
from parallelize._gpu.diagnostics import KernelCompileError
from parallelize._gpu.launch import DeviceLimits, LaunchConfig, compute_launch, validate_launch

if TYPE_CHECKING:
    from parallelize._gpu.ptx import Arch, PtxResult

__all__ = ["Param", "SourceKernel", "parse_params"]

# pycuda's SourceModule wraps the source in `extern "C" {` ... `}` (one line before it); so do we, for
# nvcc.
_PREFIX = 'extern "C" {\n'
_SUFFIX = "\n}\n"
_C_TYPES = {
    "float": "float32", "double": "float64", "__half": "float16", "half": "float16",
    "int": "int32", "signed int": "int32", "unsigned int": "uint32", "unsigned": "uint32",
    "long long": "int64", "long long int": "int64", "unsigned long long": "uint64", "long": "int64",
    "unsigned long": "uint64", "short": "int16", "unsigned short": "uint16", "char": "int8",
    "signed char": "int8", "unsigned char": "uint8", "bool": "bool", "size_t": "uint64",
    "int8_t": "int8", "int16_t": "int16", "int32_t": "int32", "int64_t": "int64",
    "uint8_t": "uint8", "uint16_t": "uint16", "uint32_t": "uint32", "uint64_t": "uint64",
}  # fmt: skip
_QUALIFIERS = {"const", "volatile", "__restrict__", "restrict", "__restrict"}
_ERROR_LINE = re.compile(r"\((?P<line>\d+)\): (?P<kind>error|catastrophic error)\s*:?\s*(?P<message>.*)")


@dataclass(frozen=True)
class Param:
    """One parameter of the ``__global__`` function: its name, numpy dtype (None if unknown) and
    pointer-ness."""

    name: str
    dtype: np.dtype[Any] | None
    pointer: bool


def parse_params(source: str, name: str) -> list[Param]:
    """Return the parameters of ``__global__ void name(...)`` in ``source``.

    Raises:
        ValueError: no ``__global__`` function called ``name`` (the message lists the ones found).
    """
    pattern = rf"__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?{re.escape(name)}\s*\(([^)]*)\)"
    match = re.search(pattern, source)
    if match is None:
        found = re.findall(r"__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?(\w+)", source)
        raise ValueError(f"CUDA source has no __global__ function {name!r}; it defines {found or 'none'}")
    params = []
    for raw in filter(None, (p.strip() for p in match.group(1).split(","))):
        if raw == "void":
            continue
        pointer = "*" in raw or "[" in raw
        words = [w for w in re.split(r"[\s*\[\]]+", raw) if w and w not in _QUALIFIERS]
        param_name, type_words = words[-1], words[:-1]
        dtype_name = _C_TYPES.get(" ".join(type_words))
        params.append(Param(param_name, np.dtype(dtype_name) if dtype_name else None, pointer))
    return params


def _compile_error(name: str, source: str, stderr: str) -> KernelCompileError:
    lines = source.splitlines()
    for match in _ERROR_LINE.finditer(stderr):
        line = int(match.group("line")) - _PREFIX.count("\n")
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        reason = match.group("message").strip()
        message = f"CUDA C kernel {name!r} does not compile: line {line}: {reason}\n  {text}"
        return KernelCompileError(message, name, "<cuda source>", line)
    return KernelCompileError(
        f"CUDA C kernel {name!r} does not compile:\n{stderr.strip()}", name, "<cuda source>"
    )


def _load_pycuda() -> tuple[Any, Any, DeviceLimits]:
    """Import pycuda, initialise the driver and the primary context; any failure -> GPUUnavailableError."""
    try:
        import pycuda.driver as drv

        drv.init()
        if drv.Device.count() == 0:
            raise GPUUnavailableError("pycuda found no CUDA device")
        import pycuda.autoprimaryctx  # noqa: F401  (the primary context, shared with numba-cuda)
        from pycuda.compiler import SourceModule

        attr = drv.device_attribute
        dev = drv.Context.get_device()
        limits = DeviceLimits(
            max_threads_per_block=dev.get_attribute(attr.MAX_THREADS_PER_BLOCK),
            max_grid_dim_x=dev.get_attribute(attr.MAX_GRID_DIM_X),
            multiprocessor_count=dev.get_attribute(attr.MULTIPROCESSOR_COUNT),
            warp_size=dev.get_attribute(attr.WARP_SIZE),
        )
    except GPUUnavailableError:
        raise
    except (
        Exception
    ) as exc:  # ImportError (libcuda.so.1, pycuda missing), pycuda.driver.Error (cuInit failed)
        raise GPUUnavailableError(
            f"CUDA C kernels need pycuda and a CUDA device: {type(exc).__name__}: {exc}. "
            "Install the extra on a machine with the CUDA toolkit and driver: pip install 'parallelize[cuda]'"
        ) from exc
    return drv, SourceModule, limits


class SourceKernel:
    """A ``__global__`` function from CUDA C source, launched like a ``kind="grid"`` kernel."""

    def __init__(
        self, source: str, name: str, *, device: str = "auto", options: Sequence[str] | None = None
    ) -> None:
        if device not in ("auto", "cuda"):
            raise ValueError(
                f"CUDA C runs only on a CUDA device: device must be 'auto' or 'cuda', got {device!r}"
            )
        self.source = source
        self.name = self.__name__ = name
        self.options = list(options or [])
        self.params = parse_params(source, name)
        self._compiled: tuple[Any, Any, DeviceLimits] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<gpu_kernel.from_source {self.name}({', '.join(p.name for p in self.params)})>"

    def compile_ptx(self, cc: Arch = (9, 0)) -> PtxResult:
        """Compile the source for the GPU architecture ``cc`` with ``nvcc --ptx -arch=sm_XX`` (no GPU needed),
        then assemble it with ``ptxas`` for registers, spills and shared memory.

        Args:
            cc: the compute capability, ``(9, 0)`` or ``"sm_90"``.

        Returns:
            The PTX and what ``ptxas`` reports (see :class:`~parallelize._gpu.ptx.PtxResult`).

        Raises:
            GPUUnavailableError: ``nvcc`` is not on PATH.
            KernelCompileError: the source does not compile (the message names the CUDA C line).
        """
        from parallelize._gpu import ptx

        arch = ptx.arch_name(cc)
        nvcc = shutil.which("nvcc")
        if nvcc is None:
            raise GPUUnavailableError("nvcc (the CUDA toolkit's compiler) is not on PATH")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="parallelize-cuda-") as folder:
            cu, out = Path(folder) / "kernel.cu", Path(folder) / "kernel.ptx"
            cu.write_text(_PREFIX + self.source + _SUFFIX)
            done = subprocess.run(
                [nvcc, "--ptx", f"-arch={arch}", *self.options, "-o", str(out), str(cu)],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise _compile_error(self.name, self.source, done.stderr + done.stdout)
            text = out.read_text()
        return ptx.assemble(self.name, arch, [text], time.perf_counter() - started)

    def _load(self) -> tuple[Any, Any, DeviceLimits]:
        with self._lock:
            if self._compiled is None:
                drv, source_module, limits = _load_pycuda()
                try:
                    module = source_module(self.source, options=self.options or None)
                except drv.CompileError as exc:
                    raise _compile_error(
                        self.name, self.source, str(getattr(exc, "stderr", "") or exc)
                    ) from None
                self._compiled = (drv, module.get_function(self.name), limits)
            return self._compiled

    def _arguments(self, args: Sequence[Any], drv: Any) -> tuple[list[Any], int]:
        if len(args) != len(self.params):
            raise TypeError(f"CUDA kernel {self.name!r} takes {len(self.params)} arguments, got {len(args)}")
        converted: list[Any] = []
        size = 0
        for param, value in zip(self.params, args, strict=False):
            if param.pointer:
                dtype = np.dtype(value.dtype) if hasattr(value, "dtype") else None
                if param.dtype is not None and dtype != param.dtype:
                    raise TypeError(
                        f"parameter {param.name!r} is a {param.dtype} pointer; got an array of {dtype}"
                    )
                if is_device_array(value):
                    converted.append(np.uintp(value.__cuda_array_interface__["data"][0]))
                elif isinstance(value, np.ndarray):
                    if not value.flags.c_contiguous:
                        raise ValueError(
                            f"parameter {param.name!r}: pass a C-contiguous array (np.ascontiguousarray)"
                        )
                    converted.append(drv.InOut(value))
                else:
                    raise TypeError(f"parameter {param.name!r} is a pointer; got {type(value).__name__}")
                size = max(size, int(np.prod(value.shape)))
            else:
                converted.append(param.dtype.type(value) if param.dtype is not None else value)
        return converted, size

    def __call__(self, *args: Any) -> None:
        """Launch with one thread per element of the largest array argument."""
        self._launch(args, None)

    def __getitem__(self, config: tuple[int, int]) -> Any:
        """Return the kernel launched with an explicit ``[blocks, threads]`` configuration."""
        blocks, threads = config
        validate_launch(blocks, threads, DeviceLimits())
        return lambda *args: self._launch(args, LaunchConfig(blocks, threads))

    def _launch(self, args: Sequence[Any], config: LaunchConfig | None) -> None:
        drv, function, limits = self._load()
        converted, size = self._arguments(args, drv)
        config = (
            compute_launch(size, limits)
            if config is None
            else validate_launch(config.blocks, config.threads, limits)
        )
        if config.total_threads:
            function(*converted, block=(config.threads, 1, 1), grid=(config.blocks, 1))
