"""Inspect a kernel call's arguments: numeric dtypes, numpy broadcasting, ``out=``, and device arrays.

Pure numpy; every path (CUDA, simulator, CPU) sees the same :class:`ElementwiseCall`, so dtype and shape rules are
the same everywhere. Python scalars are "weak" as in numpy 2 (NEP 50): ``saxpy(2.0, x32, y32)`` runs in
float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ElementwiseCall",
    "check_out",
    "describe_argument",
    "is_device_array",
    "prepare_elementwise",
    "separate_from_out",
]

NUMERIC_KINDS = "biufc"
_KIND_NAMES = {
    "U": "string",
    "S": "bytes",
    "O": "object",
    "M": "datetime",
    "m": "timedelta",
    "V": "void/struct",
}


def is_device_array(obj: object) -> bool:
    """Return whether ``obj`` lives on a CUDA device (``__cuda_array_interface__``, or the simulator's
    arrays)."""
    if hasattr(obj, "__cuda_array_interface__"):
        return True
    return type(obj).__module__.startswith("numba.cuda") and hasattr(obj, "copy_to_host")


def describe_argument(position: int, names: Sequence[str]) -> str:
    """Name an argument for messages: ``argument 2 ('x')``."""
    if position < len(names):
        return f"argument {position + 1} ({names[position]!r})"
    return f"argument {position + 1}"


def check_numeric(dtype: np.dtype[Any], where: str) -> None:
    """Raise TypeError unless ``dtype`` is bool, integer, float or complex of a width numba compiles."""
    if dtype.kind not in NUMERIC_KINDS:
        kind = _KIND_NAMES.get(dtype.kind, dtype.kind)
        raise TypeError(
            f"{where} has dtype {dtype} ({kind}); GPU kernels take numbers only (bool, int, float, complex). "
            "Convert it first, e.g. with np.asarray(value, dtype=np.float64)"
        )
    if (dtype.kind == "f" and dtype.itemsize not in (4, 8)) or (dtype.kind == "c" and dtype.itemsize not in (8, 16)):
        wider = "float32" if dtype.kind == "f" and dtype.itemsize < 4 else "float64"
        if dtype.kind == "c":
            wider = "complex128"
        raise TypeError(
            f"{where} has dtype {dtype}, which numba does not compile into kernels (float32, float64, "
            f"complex64 and complex128 only). Cast it first, e.g. x.astype(np.{wider})"
        )


def separate_from_out(values: list[Any], is_array: Sequence[bool], out: Any) -> list[Any]:
    """Return ``values`` with every host array that overlaps ``out`` copied, unless it is ``out`` itself.

    ``kernel(x, x[::-1], out=x)`` would otherwise read elements it has already overwritten; numpy's ufuncs
    copy in the same case. An argument that is exactly ``out`` (same memory, shape and strides) is safe: each
    element is read before it is written.
    """
    if not isinstance(out, np.ndarray):
        return values
    separated = list(values)
    for position, (value, array) in enumerate(zip(values, is_array, strict=False)):
        if not array or not isinstance(value, np.ndarray):
            continue
        same_view = (
            value.__array_interface__["data"][0] == out.__array_interface__["data"][0]
            and value.shape == out.shape
            and value.strides == out.strides
        )
        if not same_view and np.may_share_memory(value, out):
            separated[position] = value.copy()
    return separated


@dataclass
class ElementwiseCall:
    """One elementwise call, normalised.

    Attributes:
        values: the arguments: numpy arrays, numpy scalars (0-d arrays for weak Python scalars) or device
        arrays. dtypes: the dtype each argument is computed in.
        is_array: per argument, whether it is an array (host or device) rather than a scalar.
        shape: the broadcast shape of all array arguments (``()`` when every argument is a scalar).
        on_device: whether any argument (or ``out``) is a device array.
    """

    values: list[Any]
    dtypes: list[np.dtype[Any]]
    is_array: list[bool]
    shape: tuple[int, ...]
    on_device: bool

    def key(self) -> tuple[Any, ...]:
        """Return the compile-cache key: dtypes, and which arguments are arrays of which rank."""
        return tuple(
            (str(d), a, np.ndim(v) if a else 0)
            for d, v, a in zip(self.dtypes, self.values, self.is_array, strict=True)
        )


def _weak_scalar(value: object) -> bool:
    return isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic)


def prepare_elementwise(
    args: Sequence[Any], names: Sequence[str], signature_dtypes: Sequence[np.dtype[Any]] | None
) -> ElementwiseCall:
    """Validate and normalise an elementwise call's arguments.

    Args:
        args: the positional arguments as given.
        names: the kernel's parameter names, for messages.
        signature_dtypes: the argument dtypes of an explicit ``signature=``; inputs are cast to them
            (``same_kind`` casting), else each argument keeps its own dtype.

    Raises:
        TypeError: wrong argument count, a non-numeric dtype, or a cast the signature does not allow.
        ValueError: the array shapes do not broadcast together.
    """
    if names and len(args) != len(names):
        raise TypeError(f"kernel takes {len(names)} arguments ({', '.join(names)}), got {len(args)}")
    values: list[Any] = []
    is_array: list[bool] = []
    for value in args:
        if is_device_array(value):
            values.append(value)
            is_array.append(True)
        elif _weak_scalar(value):
            values.append(value)
            is_array.append(False)
        else:
            arr = value if isinstance(value, (np.ndarray, np.generic)) else np.asarray(value)
            values.append(arr)
            is_array.append(isinstance(arr, np.ndarray) and arr.ndim > 0)
    for position, value in enumerate(values):  # strong dtypes first: weak scalars are resolved against them
        if not _weak_scalar(value):
            check_numeric(np.dtype(value.dtype), describe_argument(position, names))
    strong = [np.dtype(v.dtype) for v in values if not _weak_scalar(v)]
    dtypes: list[np.dtype[Any]] = []
    for position, value in enumerate(values):
        where = describe_argument(position, names)
        if _weak_scalar(value):
            dtype = np.result_type(value, *strong) if strong else np.asarray(value).dtype
        else:
            dtype = np.dtype(value.dtype)
        check_numeric(dtype, where)
        dtypes.append(dtype)
    if signature_dtypes is not None:
        if len(signature_dtypes) != len(values):
            raise TypeError(
                f"signature= declares {len(signature_dtypes)} arguments, the call passes {len(values)}"
            )
        for position, (value, want) in enumerate(zip(values, signature_dtypes, strict=False)):
            where = describe_argument(position, names)
            if dtypes[position] == want:
                continue
            if is_device_array(value):
                raise TypeError(f"{where} is a device array of {dtypes[position]}; signature= expects {want}")
            if not _weak_scalar(value) and not np.can_cast(dtypes[position], want, "same_kind"):
                raise TypeError(
                    f"{where} has dtype {dtypes[position]}; cannot cast it to {want} from signature="
                )
            values[position] = np.asarray(value).astype(want) if is_array[position] else want.type(value)
            dtypes[position] = np.dtype(want)
    shapes = [tuple(v.shape) for v, a in zip(values, is_array, strict=False) if a]
    try:
        shape = np.broadcast_shapes(*shapes) if shapes else ()
    except ValueError:
        listed = ", ".join(
            f"{describe_argument(i, names)} has shape {tuple(v.shape)}"
            for i, (v, a) in enumerate(zip(values, is_array, strict=False))
            if a
        )
        raise ValueError(f"argument shapes do not broadcast together (numpy rules): {listed}") from None
    for position, (value, array) in enumerate(zip(values, is_array, strict=False)):
        if not array:  # scalars travel as numpy scalars of their resolved dtype (weak ones included)
            values[position] = dtypes[position].type(value)
    return ElementwiseCall(values, dtypes, is_array, tuple(shape), any(map(is_device_array, values)))


def check_out(out: Any, shape: tuple[int, ...], dtype: np.dtype[Any]) -> None:
    """Check that ``out=`` can hold a result of ``shape`` and ``dtype``.

    Raises:
        TypeError: ``out`` is not an array, or the result cannot be cast to its dtype (``same_kind``).
        ValueError: ``out`` has another shape, or is read-only.
    """
    if not (isinstance(out, np.ndarray) or is_device_array(out)):
        raise TypeError(f"out= must be a numpy or device array, got {type(out).__name__}")
    if isinstance(out, np.ndarray) and not out.flags.writeable:
        raise ValueError("out= is read-only; pass a writeable array (np.array(out) makes a writeable copy)")
    out_dtype = np.dtype(out.dtype)
    check_numeric(out_dtype, "out=")
    if tuple(out.shape) != shape:
        raise ValueError(f"out= has shape {tuple(out.shape)}; the arguments broadcast to {shape}")
    if not np.can_cast(dtype, out_dtype, "same_kind"):
        raise TypeError(f"out= has dtype {out_dtype}; the kernel returns {dtype}, which does not cast to it")
