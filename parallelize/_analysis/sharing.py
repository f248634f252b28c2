"""Objects that really share state between workers: writes to them are never lost copies.

A write to one of these from a task reaches the parent and the other workers, so the lost-write rules (PAR1xx)
do not report it. A non-atomic read-modify-write (``d[k] += 1``) on a manager proxy from several workers is
still a race, reported as PAR402 unless it sits under a lock.

Matched on the last component of the constructor's dotted name as written (``mp.Manager().dict()``,
``multiprocessing.Value``, ``np.memmap``), so aliases of the modules resolve too.
"""

from __future__ import annotations

import ast

from parallelize._analysis.scopes import dotted_name

# Constructors whose result is shared by every worker (processes and threads alike).
SHARED_CONSTRUCTORS = frozenset(
    {
        # multiprocessing / queue channels
        "Queue", "SimpleQueue", "JoinableQueue", "LifoQueue", "PriorityQueue", "Pipe",
        # multiprocessing shared memory
        "Value", "Array", "RawValue", "RawArray", "SharedMemory", "ShareableList",
        # managers
        "Manager", "SyncManager",
    }
)
# Methods of a manager that return a proxy: the proxy forwards every call to the manager's process.
PROXY_FACTORIES = frozenset({"dict", "list", "Namespace", "Value", "Array", "Queue", "JoinableQueue"})
# numpy views of a shared buffer (``np.frombuffer(arr.get_obj())``, ``np.ctypeslib.as_array(raw)``).
SHARED_VIEWS = frozenset({"frombuffer", "as_array"})
# ``numpy.memmap`` modes that write through to the file.
WRITABLE_MEMMAP_MODES = frozenset({"r+", "w+", "readwrite", "write"})


def _manager_receiver(func: ast.expr) -> bool:
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    if isinstance(receiver, ast.Call):  # Manager().dict()
        return dotted_name(receiver.func).rsplit(".", 1)[-1] in {"Manager", "SyncManager"}
    name = dotted_name(receiver).rsplit(".", 1)[-1].lower()
    return "manager" in name or name in {"m", "mgr"}


def is_proxy_value(value: ast.expr | None) -> bool:
    """Return whether ``value`` builds a manager proxy (``manager.dict()``, ``Manager().list()``)."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr in PROXY_FACTORIES and _manager_receiver(value.func))


def is_shared_value(value: ast.expr | None) -> bool:
    """Return whether ``value`` builds an object shared between workers (see the module docstring)."""
    if not isinstance(value, ast.Call):
        return False
    last = dotted_name(value.func).rsplit(".", 1)[-1]
    if last in SHARED_CONSTRUCTORS or is_proxy_value(value):
        return True
    if last == "memmap":
        mode = next((k.value for k in value.keywords if k.arg == "mode"), None)
        if mode is None and len(value.args) > 2:
            mode = value.args[2]
        return isinstance(mode, ast.Constant) and mode.value in WRITABLE_MEMMAP_MODES
    if last in SHARED_VIEWS and value.args:
        inner = value.args[0]
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            return inner.func.attr in {"get_obj", "buf"}
        return isinstance(inner, ast.Attribute) and inner.attr == "buf"
    return False


def is_queue_get(func: ast.Attribute) -> bool:
    """Return whether ``func`` is ``get`` on a receiver named as a queue (``self.queue.get``, ``q.get``,
    ``work_queue.get_nowait``): the message taken off a queue is handed over, not a part of the queue, as a value
    from ``dict.get`` is."""
    if func.attr not in {"get", "get_nowait"}:
        return False
    name = dotted_name(func.value).rsplit(".", 1)[-1].lower()
    return "queue" in name or name == "q"


def cache_guard(test: ast.expr) -> str | None:
    """Return ``NAME`` for an ``if NAME is None:`` / ``if not NAME:`` test (a cache filled on first use)."""
    if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Is) and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return test.left.id
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        return test.operand.id
    return None


__all__ = ["PROXY_FACTORIES", "SHARED_CONSTRUCTORS", "SHARED_VIEWS", "WRITABLE_MEMMAP_MODES", "cache_guard",
           "is_proxy_value", "is_queue_get", "is_shared_value"]
