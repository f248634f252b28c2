"""``parallelize info``: what this machine offers parallel work: cores, backends, BLAS libraries, GPU, cluster.

Every section is computed defensively: a missing optional package or a failing probe becomes a line that says so,
never a traceback, so the command is safe to paste into a bug report.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
from collections.abc import Callable, Sequence
from typing import Any

#: Backends in the order the documentation lists them, with the module each one needs.
BACKENDS = (("serial", None), ("threads", None), ("loky", "loky"), ("dask", "distributed"),
            ("ipyparallel", "ipyparallel"))

#: How many GPU lines ``info`` shows without ``--gpu``.
GPU_SUMMARY_LINES = 1


def core_lines() -> list[str]:
    """Physical cores (psutil when importable), logical CPUs, and the cores this process may use (loky)."""
    physical: int | None = None
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except ImportError:
        pass
    logical = os.cpu_count()
    try:
        from loky import cpu_count

        usable: int | str = cpu_count()
    except ImportError:
        usable = "unknown (loky not installed)"
    return [
        f"physical: {physical if physical is not None else 'unknown'}",
        f"logical: {logical if logical is not None else 'unknown'}",
        f"usable (affinity, cgroup quota; default n_jobs): {usable}",
    ]


def _is_importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def backend_lines() -> list[str]:
    """One line per backend: available, or what to install."""
    lines = []
    for name, module in BACKENDS:
        if module is None:
            lines.append(f"{name}: available (standard library)")
        elif _is_importable(module):
            lines.append(f"{name}: available ({module} {_version(module)})")
        else:
            extra = name if name in ("dask", "ipyparallel") else "dev"
            lines.append(f"{name}: not installed (pip install 'parallelize[{extra}]')")
    return lines


def _version(distribution: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "version unknown"


def blas_lines() -> list[str]:
    """The BLAS and OpenMP libraries numpy loaded, as threadpoolctl sees them, with their thread counts."""
    try:
        import numpy  # noqa: F401  (loads its BLAS so threadpoolctl can see it)
        from threadpoolctl import threadpool_info
    except ImportError as exc:
        return [f"unknown ({exc.name} not installed)"]
    pools: list[dict[str, Any]] = threadpool_info()
    if not pools:
        return ["none loaded"]
    lines = []
    for pool in pools:
        api = pool.get("internal_api", pool.get("user_api", "?"))
        details = [f"{pool.get('num_threads', '?')} threads"]
        if pool.get("threading_layer"):
            details.append(f"threading layer {pool['threading_layer']}")
        if pool.get("architecture"):
            details.append(str(pool["architecture"]))
        lines.append(f"{api} {pool.get('version') or ''}".rstrip() + f": {', '.join(details)}")
        lines.append(f"  {pool.get('filepath', '')}")
    return lines


def _guarded(call: Callable[[], Any], missing: str) -> list[str]:
    try:
        result = call()
    except (ImportError, AttributeError):
        return [missing]
    except Exception as exc:  # a probe must never break `info`
        return [f"could not be determined ({type(exc).__name__}: {exc})"]
    if isinstance(result, str):
        return result.splitlines() or [missing]
    return [str(line) for line in result] or [missing]


def gpu_lines(full: bool) -> list[str]:
    """GPU status from ``parallelize._gpu.info_lines()``: the first line, or all with ``full`` (which also
    compiles and times a probe kernel)."""

    def probe() -> Any:
        from parallelize import _gpu

        return _gpu.info_lines(probe=full)

    lines = _guarded(probe, "GPU support is not available in this build")
    if full or len(lines) <= GPU_SUMMARY_LINES:
        return lines
    return [*lines[:GPU_SUMMARY_LINES], "(parallelize info --gpu for details)"]


def compile_check_lines(archs: Sequence[str]) -> list[str]:
    """The probe kernels compiled for each architecture in ``archs``, from ``parallelize._gpu.probes``."""

    def probe() -> Any:
        from parallelize._gpu import probes

        return probes.compile_lines(archs)

    return _guarded(probe, "GPU support is not available in this build (pip install 'parallelize[gpu]')")


def cluster_lines() -> list[str]:
    """The Dask cluster the configuration points at, from ``parallelize._backends.dask.describe_cluster()``."""

    def probe() -> Any:
        from parallelize._backends import dask

        return dask.describe_cluster()

    return _guarded(probe, "no cluster support in this build (or dask is not installed)")


def report(full_gpu: bool = False, compile_for: Sequence[str] = ()) -> str:
    """Return the whole ``info`` text; ``compile_for`` adds the compile check for those architectures."""
    import parallelize

    gpu = gpu_lines(full_gpu) + (compile_check_lines(compile_for) if compile_for else [])
    sections = [
        ("cores", core_lines()),
        ("backends", backend_lines()),
        ("BLAS and OpenMP libraries (threadpoolctl)", blas_lines()),
        ("GPU", gpu),
        ("cluster", cluster_lines()),
    ]
    out = [f"parallelize {parallelize.__version__} on Python {platform.python_version()} ({sys.platform})"]
    for title, lines in sections:
        out.append(f"\n{title}:")
        out.extend(f"  {line}" for line in lines)
    return "\n".join(out)


def run(argv: Sequence[str]) -> int:
    """Print what this machine offers parallel work.

    Args:
        argv: command-line arguments after ``info`` (``--gpu`` shows every GPU line).

    Returns:
        0.
    """
    parser = argparse.ArgumentParser(prog="parallelize info",
                                     description="Cores, backends, BLAS libraries, GPU and cluster status.")
    parser.add_argument("--gpu", action="store_true", help="show every GPU line (device, packages, kernels)")
    parser.add_argument(
        "--compile-for",
        metavar="ARCHS",
        default="",
        help="compile probe kernels for these GPU architectures (sm_80,sm_90) with no GPU: registers, spills, times",
    )
    options = parser.parse_args(list(argv))
    archs = [a.strip() for a in options.compile_for.split(",") if a.strip()]
    print(report(full_gpu=options.gpu, compile_for=archs))
    return 0
