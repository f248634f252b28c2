"""Rewrite a grid kernel's thread-index calls for the path that runs it.

A grid kernel asks for its thread's position with ``parallelize.gpu.index()`` / ``stride()`` (or numba's
``cuda.grid(1)`` / ``cuda.gridsize(1)``). On CUDA and in the simulator these become ``cuda.grid(1)`` /
``cuda.gridsize(1)``; on the CPU path the kernel gets two leading parameters, the index and the stride, and a
``prange`` driver calls it once per thread. The rewritten function keeps the original file name and line
numbers, so numba's errors point at the user's source.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from collections.abc import Callable
from typing import Any, Literal

__all__ = ["INDEX_PARAM", "STRIDE_PARAM", "rewrite_grid_kernel"]

INDEX_PARAM = "__parallelize_index__"
STRIDE_PARAM = "__parallelize_stride__"
_CUDA_NAME = "__parallelize_cuda__"


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    """Return the object a ``name`` or ``module.attr`` expression refers to (only through modules), else
    None."""
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if isinstance(owner, types.ModuleType):
            return getattr(owner, node.attr, None)
        if isinstance(owner, _ModuleRef):  # numba.cuda is never imported just to compare against it
            return _ModuleRef(f"{owner.name}.{node.attr}")
    return None


class _ModuleRef:
    def __init__(self, name: str) -> None:
        self.name = name


class _IndexCalls(ast.NodeTransformer):
    def __init__(self, scope: dict[str, Any], target: Literal["cuda", "cpu"]) -> None:
        from parallelize import gpu

        self.scope = {k: _ModuleRef(v.__name__) if _is_numba_cuda(v) else v for k, v in scope.items()}
        self.target = target
        self.names = {id(gpu.index): "index", id(gpu.stride): "stride"}
        self.count = 0

    def _role(self, node: ast.Call) -> str | None:
        obj = _resolve(node.func, self.scope)
        if id(obj) in self.names and not node.args and not node.keywords:
            return self.names[id(obj)]
        if isinstance(obj, _ModuleRef) and obj.name in {"numba.cuda.grid", "numba.cuda.gridsize"}:
            one = len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and node.args[0].value == 1
            if one and self.target == "cpu":
                return "index" if obj.name.endswith(".grid") else "stride"
        return None

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        role = self._role(node)
        if role is None:
            return node
        self.count += 1
        if self.target == "cpu":
            return ast.copy_location(
                ast.Name(INDEX_PARAM if role == "index" else STRIDE_PARAM, ast.Load()), node
            )
        func = ast.Attribute(
            ast.Name(_CUDA_NAME, ast.Load()), "grid" if role == "index" else "gridsize", ast.Load()
        )
        return ast.copy_location(ast.Call(func, [ast.Constant(1)], []), node)


def _is_numba_cuda(value: object) -> bool:
    return isinstance(value, types.ModuleType) and value.__name__ == "numba.cuda"


def rewrite_grid_kernel(func: Callable[..., Any], target: Literal["cuda", "cpu"]) -> Callable[..., Any]:
    """Return ``func`` with its index calls rewritten for ``target`` (see the module docstring).

    Raises:
        TypeError: ``func``'s source is unavailable (defined in an interactive prompt or by ``exec``).
    """
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError) as exc:
        raise TypeError(
            f"grid kernel {func.__qualname__!r} needs its source code to be rewritten for the {target} path "
            f"({exc}); define it in a file"
        ) from None
    tree = ast.parse(source)
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef):
        raise TypeError(f"grid kernel {func.__qualname__!r} must be a plain def (not async, not a lambda)")
    definition.decorator_list = []
    closure = inspect.getclosurevars(func).nonlocals
    scope: dict[str, Any] = {**func.__globals__, **closure}
    transformer = _IndexCalls(scope, target)
    definition = transformer.visit(definition)
    if target == "cpu":
        extra = [ast.arg(INDEX_PARAM), ast.arg(STRIDE_PARAM)]
        definition.args.posonlyargs = extra + definition.args.posonlyargs
    module = ast.Module([definition], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, func.__code__.co_firstlineno - 1)
    namespace = dict(scope)
    if target == "cuda":
        from numba import cuda

        namespace[_CUDA_NAME] = cuda
    exec(compile(module, func.__code__.co_filename, "exec"), namespace)
    rewritten: Callable[..., Any] = namespace[definition.name]
    rewritten.__qualname__ = func.__qualname__
    return rewritten
