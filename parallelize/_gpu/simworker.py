"""Run ``device="simulator"`` kernels in a helper process that has numba's CUDA simulator switched on.

Why a process: numba picks the simulator or the real CUDA driver once, when ``numba.cuda`` is first imported,
from ``NUMBA_ENABLE_CUDASIM``. Switching it for the whole caller's process would change every other kernel
(and other libraries' numba use) behind their back. So:

* if this process already runs the simulator (``NUMBA_ENABLE_CUDASIM=1`` at start-up), kernels simulate in
place;
* otherwise one helper process per parent, started on first use with ``NUMBA_ENABLE_CUDASIM=1``, runs them.

Data flow (one call at a time, under ``_lock``; the parent's thread blocks on the pipe)::

    parent                                   helper (python -m parallelize._gpu.simworker)
    cloudpickle (kernel fn, options, args) -> rebuild GPUKernel(device="simulator"), call it
    copy results back into out= / arrays   <- (ok, result, args after the call) | (error, exception,
    traceback)

Arguments travel by pickle, so device arrays cannot cross: pass numpy arrays, or start Python with
``NUMBA_ENABLE_CUDASIM=1`` to simulate in-process. The helper exits when its stdin closes (parent exit).
"""

from __future__ import annotations

import atexit
import io
import linecache
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from parallelize._compat import add_note
from parallelize._errors import WorkerCrashedError
from parallelize._gpu import diagnostics
from parallelize._gpu.arguments import is_device_array
from parallelize._gpu.launch import LaunchConfig

if TYPE_CHECKING:
    from parallelize._gpu.kernel import GPUKernel

__all__ = ["call", "serve", "shutdown"]

_lock = threading.Lock()
_process: subprocess.Popen[bytes] | None = None
_HEADER = struct.Struct("!Q")


def _send(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return stream.read(length)


def _start() -> subprocess.Popen[bytes]:
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    # The helper sees the parent's sys.path, so kernels pickled by reference import the same modules.
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.Popen(
        [sys.executable, "-m", "parallelize._gpu.simworker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def shutdown() -> None:
    """Stop the helper process, if one is running (it is started again on the next simulator call)."""
    global _process
    with _lock:
        process, _process = _process, None
    if process is not None and process.poll() is None:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


atexit.register(shutdown)


def _dumps(kernel: GPUKernel, request: tuple[Any, ...]) -> bytes:
    import cloudpickle

    func = kernel.__wrapped__
    module = sys.modules.get(func.__module__)
    by_value = (
        module is not None and func.__module__ != "__main__" and not func.__module__.startswith("parallelize")
    )
    if by_value:  # the helper may not be able to import a test module or a notebook's module
        cloudpickle.register_pickle_by_value(module)
    try:
        return bytes(cloudpickle.dumps(request))
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


def call(kernel: GPUKernel, args: Sequence[Any], out: Any, config: LaunchConfig | None) -> Any:
    """Run one kernel call in the simulator helper; results are copied back into ``out`` and array
    arguments."""
    global _process
    for position, value in enumerate([*args, out]):
        if is_device_array(value):
            raise TypeError(
                f"argument {position + 1} is a device array, "
                "which cannot reach the simulator helper process; "
                "pass numpy arrays, or start Python with NUMBA_ENABLE_CUDASIM=1 to simulate in this process"
            )
    launch = None if config is None else (config.blocks, config.threads)
    code = kernel.__wrapped__.__code__
    # cloudpickle renames a by-value function's file to "<dynamic-code>"; grid kernels need their source (and
    # errors should name the real file), so the file name and its lines travel with the call.
    source = (code.co_filename, linecache.getlines(code.co_filename))
    payload = _dumps(kernel, (kernel.__wrapped__, kernel.options, list(args), out, launch, source))
    started = time.perf_counter()
    with _lock:
        if _process is None or _process.poll() is not None:
            _process = _start()
        process = _process
        assert process.stdin is not None and process.stdout is not None
        try:
            _send(process.stdin, payload)
            reply = _receive(process.stdout)
        except (BrokenPipeError, OSError):
            reply = None
        if reply is None:
            exit_code = process.wait()
            _process = None
            raise WorkerCrashedError(
                f"the CUDA simulator helper process exited with code {exit_code} during {kernel.name!r}"
            )
    status, *rest = pickle.loads(reply)
    diagnostics.record_run(kernel.name, "simulator", time.perf_counter() - started)
    if status == "error":
        exc, remote = rest
        add_note(exc, f"raised in the CUDA simulator helper process:\n{remote}")
        raise exc
    result, new_args, new_out = rest
    for old, new in zip(args, new_args, strict=False):
        if isinstance(old, np.ndarray) and old.flags.writeable:
            np.copyto(old, new)
    if out is not None:
        np.copyto(out, new_out)
        return out
    return result


def _handle(request: bytes) -> bytes:
    from parallelize._gpu.kernel import GPUKernel, KernelOptions

    try:
        func, options, args, out, launch, (filename, lines) = pickle.loads(request)
        if lines and func.__code__.co_filename != filename:
            linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)  # mtime None: kept
            func.__code__ = func.__code__.replace(co_filename=filename)
        kernel = GPUKernel(func, KernelOptions(options.kind, "simulator", options.signature, cache=False))
        if launch is not None:
            kernel[launch](*args)
            result = None
        elif options.kind == "grid":
            result = kernel(*args)
        else:
            result = kernel(*args, out=out)
        return pickle.dumps(("ok", result, args, out))
    except BaseException as exc:
        remote = traceback.format_exc()
        try:
            return pickle.dumps(("error", exc, remote))
        except Exception:  # an exception that does not pickle still reaches the parent, as RuntimeError
            return pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), remote))


def serve(stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> None:
    """Answer requests until stdin closes (the helper's main loop)."""
    reader = stdin or sys.stdin.buffer
    writer = stdout or sys.stdout.buffer
    sys.stdout = io.TextIOWrapper(io.BytesIO())  # kernels' print() must not corrupt the reply stream
    while (request := _receive(reader)) is not None:
        _send(writer, _handle(request))


if __name__ == "__main__":
    serve()
