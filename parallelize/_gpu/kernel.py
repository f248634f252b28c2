"""``GPUKernel``: the object ``@gpu_kernel`` returns. It picks the path per call and keeps one compiled kernel
per path.

Flow of one call::

    GPUKernel.__call__ -> resolve_device (auto | cuda | cpu | simulator)
        simulator, numba not in simulator mode in this process -> simworker (a subprocess, see simworker.py)
        elementwise: arguments.prepare_elementwise -> return dtype (numba typing) -> cpu | numba_cuda
        grid:        launch size from the largest array -> launch config -> cpu | numba_cuda
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from parallelize._gpu import detect
from parallelize._gpu.arguments import check_numeric, check_out, describe_argument, is_device_array
from parallelize._gpu.launch import DeviceLimits, LaunchConfig, compute_launch, validate_launch

if TYPE_CHECKING:
    from parallelize._gpu.ptx import Arch, PtxResult

__all__ = ["GPUKernel", "KernelOptions"]

Kind = Literal["elementwise", "grid"]


@dataclass(frozen=True)
class KernelOptions:
    """The decorator's options, validated once at decoration."""

    kind: Kind = "elementwise"
    device: str = "auto"
    signature: Any = None
    cache: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("elementwise", "grid"):
            raise ValueError(f"kind must be 'elementwise' or 'grid', got {self.kind!r}")
        if self.device not in detect.DEVICES:
            raise ValueError(f"device must be one of {', '.join(map(repr, detect.DEVICES))}; got {self.device!r}")
        if self.signature is not None and self.kind == "grid":
            raise ValueError("signature= applies to elementwise kernels; grid kernels compile per argument type")


def _parse_signature(signature: Any) -> tuple[list[np.dtype[Any]], np.dtype[Any] | None]:
    """Turn ``"float32(float32, float32)"`` (or a numba signature) into argument and return dtypes."""
    from numba.core import sigutils
    from numba.np.numpy_support import as_dtype

    try:
        args, ret = sigutils.normalize_signature(signature)  # type: ignore[no-untyped-call]
    except Exception as exc:
        raise ValueError(
            f"signature={signature!r} is not a numba signature such as 'float32(float32, float32)': {exc}"
        ) from None
    return [np.dtype(as_dtype(a)) for a in args], (np.dtype(as_dtype(ret)) if ret is not None else None)


def _import_kernel(module: str, qualname: str) -> GPUKernel:
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not isinstance(obj, GPUKernel):
        raise TypeError(f"{module}.{qualname} is no longer a @gpu_kernel")
    return obj


def _kernel_by_value(func: Callable[..., Any], options: KernelOptions, filename: str) -> GPUKernel:
    # cloudpickle ships the function with "<dynamic-code>" as its file; the real one names compile errors and
    # lets the worker find (and key) the disk cache the parent filled.
    from parallelize._scheduler.payload import restore_filename

    restore_filename(func, filename)
    return GPUKernel(func, options)


class GPUKernel:
    """A Python function compiled for CUDA, numba's simulator or the CPU, chosen per call by ``device``."""

    __wrapped__: Callable[..., Any]
    __qualname__: str

    def __init__(self, func: Callable[..., Any], options: KernelOptions) -> None:
        if not inspect.isfunction(func):
            raise TypeError(f"@gpu_kernel takes a plain Python function, got {type(func).__name__}")
        functools.update_wrapper(self, func)
        self.options = options
        self.name: str = func.__qualname__
        self._signature = inspect.signature(func)
        parameters = self._signature.parameters.values()
        self._params = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if any(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters):
            raise TypeError(
                f"kernel {self.name!r} has keyword-only parameters or **kwargs; kernels are compiled with "
                "positional parameters only (keywords are still accepted when calling)"
            )
        if options.kind == "elementwise" and "out" in self._signature.parameters:
            raise TypeError(
                f"elementwise kernel {self.name!r} has a parameter named 'out', which is reserved for the "
                "output array (kernel(x, out=result)); rename it"
            )
        self._paths: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def kind(self) -> Kind:
        """Return ``"elementwise"`` or ``"grid"``."""
        return self.options.kind

    def __repr__(self) -> str:
        return f"<gpu_kernel {self.name} kind={self.kind!r} device={self.options.device!r}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # By reference where the module attribute is this kernel (process workers import it, no recompile of
        # the Python side); otherwise by value through cloudpickle, like any local function. A script's or a
        # notebook's ``__main__`` is another module in a worker, so kernels defined there go by value.
        module = sys.modules.get(self.__module__) if self.__module__ != "__main__" else None
        try:
            found = _import_kernel(self.__module__, self.__qualname__) if module is not None else None
        except (AttributeError, TypeError, ImportError):
            found = None
        if found is self:
            return (_import_kernel, (self.__module__, self.__qualname__))
        return (_kernel_by_value, (self.__wrapped__, self.options, self.__wrapped__.__code__.co_filename))

    def _path(self, key: str, factory: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._paths:
                self._paths[key] = factory()
            return self._paths[key]

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Return the arguments in parameter order, keywords placed and defaults filled in."""
        if not kwargs and len(args) == len(self._params):
            return args
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"kernel {self.name!r}: {exc}") from None
        bound.apply_defaults()
        return tuple(bound.args)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the kernel; see :func:`parallelize.gpu_kernel` for the rules."""
        if self.kind == "grid":
            self._launch_grid(self._bind(args, kwargs), None)
            return None
        out = kwargs.pop("out", None)
        return self._elementwise(self._bind(args, kwargs), out)

    def __getitem__(self, config: tuple[int, int]) -> Callable[..., None]:
        """Return the kernel launched with an explicit ``[blocks, threads]`` configuration."""
        if self.kind != "grid":
            raise TypeError(f"{self.name!r} is an elementwise kernel; kernel[blocks, threads] applies to kind='grid'")
        if not isinstance(config, tuple) or len(config) != 2:
            raise TypeError(f"use kernel[blocks, threads] (two ints), got kernel[{config!r}]")
        blocks, threads = config
        validate_launch(blocks, threads, DeviceLimits())

        def launch(*args: Any, **kwargs: Any) -> None:
            self._launch_grid(self._bind(args, kwargs), LaunchConfig(blocks, threads))

        return launch

    def compile_ptx(
        self, signature: Any = None, *, cc: Arch = (9, 0), scalars: Sequence[str] = (), ndim: int = 1
    ) -> PtxResult:
        """Compile the kernel a CUDA launch would run for the GPU architecture ``cc``, with no GPU needed.

        What is compiled is the decorator's own kernel (the generated grid-stride loop around the function, or
        the rewritten grid kernel), with the options a launch uses; ``ptxas`` then assembles the PTX for
        ``cc`` and reports registers, spills and shared memory (see :class:`~parallelize._gpu.ptx.PtxResult`).

        Args:
            signature: one type per parameter, ``"float32(float32, float32, float32)"`` (the return type may be
                left out: it is inferred, as on a call); default: the decorator's ``signature=``.
            cc: the compute capability, ``(9, 0)`` or ``"sm_90"``.
            scalars: parameters passed as numbers; the others are C-contiguous arrays (what numpy arrays give).
            ndim: the arrays' rank. Elementwise: 1 is the flat loop every same-shape call runs; 2 and more
                index arrays as broadcast operands (``kernel(row, column[:, None])``).

        Raises:
            KernelCompileError: the kernel does not compile (the construct, file and line, as a launch says it).
            GPUUnavailableError: NVRTC/NVVM are missing, or this process runs numba's CUDA simulator.
            ValueError: no signature, or it does not fit the parameters.
        """
        from parallelize._gpu import ptx

        arch = ptx.arch_name(cc)
        ptx.require_compiler()
        argtypes, ret = ptx.argument_types(self.name, self._params, signature or self.options.signature, scalars, ndim)
        started = time.perf_counter()
        with ptx.compiler_errors():
            modules = self._compile_cuda(argtypes, ret, ndim, ptx.cc_tuple(arch))
        return ptx.assemble(self.name, arch, modules, time.perf_counter() - started)

    def _compile_cuda(self, argtypes: list[Any], ret: Any, ndim: int, cc: tuple[int, int]) -> list[str]:
        from numba import from_dtype
        from numba.core import types
        from numba.np.numpy_support import as_dtype

        from parallelize._gpu.numba_cuda import CudaElementwise, CudaGrid

        if self.kind == "grid":
            grid: CudaGrid = self._path(
                "cuda", lambda: CudaGrid(self.__wrapped__, self.name, "cuda", self.options.cache)
            )
            return grid.compile_ptx(argtypes, cc)
        if ret is None:
            from parallelize._gpu.cpu import infer_return_dtype

            dtypes = [as_dtype(t.dtype if isinstance(t, types.Array) else t) for t in argtypes]
            ret = from_dtype(infer_return_dtype(self.__wrapped__, dtypes, "cuda", self.options.cache))
        array = "f" if ndim == 1 else "b"  # the flat loop, or broadcast indexing (see codegen.arrange)
        layout = tuple(array if isinstance(t, types.Array) else "s" for t in argtypes)
        argtypes = [types.Array(t.dtype, ndim, "C") if isinstance(t, types.Array) else t for t in argtypes]
        impl: CudaElementwise = self._path(
            "cuda", lambda: CudaElementwise(self.__wrapped__, self.name, "cuda", self.options.cache)
        )
        return impl.compile_ptx(layout, argtypes, types.Array(ret, ndim, "C"), cc)

    def _elementwise(self, args: Sequence[Any], out: Any) -> Any:
        from parallelize._gpu.arguments import prepare_elementwise

        path = detect.resolve_device(self.options.device)
        if path == "simulator" and not detect.simulator_in_process():
            from parallelize._gpu import simworker

            return simworker.call(self, args, out, None)
        detect.require_numba()
        sig_args, sig_ret = _parse_signature(self.options.signature) if self.options.signature else (None, None)
        spec = prepare_elementwise(args, self._params, sig_args)
        if sig_ret is not None:
            ret = sig_ret
        else:
            from parallelize._gpu.cpu import infer_return_dtype

            ret = infer_return_dtype(self.__wrapped__, spec.dtypes, path, self.options.cache)
        if out is not None:
            check_out(out, spec.shape, ret)
        if path == "cpu":
            from parallelize._gpu.cpu import CpuElementwise

            impl = self._path("cpu", lambda: CpuElementwise(self.__wrapped__, self.name, self.options.cache))
            return impl.run(spec, ret, out)
        from parallelize._gpu.numba_cuda import SIMULATOR_LIMITS, CudaElementwise

        impl = self._path(path, lambda: CudaElementwise(self.__wrapped__, self.name, path, self.options.cache))
        limits = detect.cuda_status().limits if path == "cuda" else SIMULATOR_LIMITS
        return impl.run(spec, ret, out, limits)

    def _launch_grid(self, args: Sequence[Any], config: LaunchConfig | None) -> None:
        path = detect.resolve_device(self.options.device)
        if self._params and len(args) != len(self._params):
            raise TypeError(f"kernel {self.name!r} takes {len(self._params)} arguments, got {len(args)}")
        size = 0
        for position, value in enumerate(args):
            where = describe_argument(position, self._params)
            if isinstance(value, np.ndarray) or is_device_array(value):
                check_numeric(np.dtype(value.dtype), where)
                size = max(size, int(np.prod(value.shape)))
            elif isinstance(value, (bool, int, float, complex, np.generic)):
                check_numeric(np.asarray(value).dtype, where)
            else:
                raise TypeError(
                    f"{where} is a {type(value).__name__}; "
                    "grid kernels take numpy or device arrays and numbers "
                    "(arrays are updated in place, so lists are not accepted)"
                )
        if config is None and size == 0 and not any(isinstance(a, np.ndarray) or is_device_array(a) for a in args):
            raise TypeError(
                f"grid kernel {self.name!r} got no array argument to size its launch; use kernel[blocks, threads]"
            )
        if path == "simulator" and not detect.simulator_in_process():
            from parallelize._gpu import simworker

            simworker.call(self, args, None, config)
            return
        detect.require_numba()
        if path == "cpu":
            from parallelize._gpu.cpu import CpuGrid

            impl = self._path("cpu", lambda: CpuGrid(self.__wrapped__, self.name, self.options.cache))
            impl.run(args, config.total_threads if config is not None else size)
            return
        from parallelize._gpu.numba_cuda import SIMULATOR_LIMITS, CudaGrid

        limits = detect.cuda_status().limits if path == "cuda" else SIMULATOR_LIMITS
        if config is None:
            config = compute_launch(size, limits)
        else:
            validate_launch(config.blocks, config.threads, limits)
        impl = self._path(path, lambda: CudaGrid(self.__wrapped__, self.name, path, self.options.cache))
        impl.run(args, config)
