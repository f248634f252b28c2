"""``ParallelFunction``: the object a decorator returns. It keeps the function's identity and adds map methods.

Built on wrapt, so the decorated function keeps ``__name__``, ``__doc__``, ``__wrapped__``, its signature and its
source, binds correctly as a method, staticmethod or classmethod, and pickles by reference. It owns no scheduling:
each method hands the function, its options and the backend chosen for this call to the scheduler, whose policy
(``_scheduler/policy.py``) decides what the options mean there: budget, seeding, timeouts, limits, batch size.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import sys
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

import wrapt

from parallelize._backends import resolve_backend
from parallelize._backends.base import Backend
from parallelize._options import Options
from parallelize._scheduler import CallSpec, policy, run_iter, run_list, submit_one
from parallelize._scheduler.limits import Limits
from parallelize._scheduler.payload import CallArguments

if TYPE_CHECKING:
    from parallelize._rewrite.plan import LoopPlan

P = ParamSpec("P")
R = TypeVar("R")
# For the methods whose ``self`` is typed more narrowly than ``_MapMethods[P, R]``: ``.map(items, *args,
# **kwargs)`` calls ``f(item, *args, **kwargs)``, so ``self`` is split as ``Concatenate[Item, Rest]`` and the items
# and the broadcast arguments are checked against the function's own parameters.
Item = TypeVar("Item")
Rest = ParamSpec("Rest")
Result = TypeVar("Result")
#: What ``.map`` of an ``async def`` function returns per item: the awaited value, not the coroutine.
AsyncResult = Coroutine[Any, Any, Result]


def _import_by_name(module: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(module)
    *path, name = qualname.split(".")
    for part in path:
        obj = getattr(obj, part)
    if isinstance(obj, type) and name in vars(obj):
        return vars(obj)[name]  # the decorated method itself: getattr would bind it to the class
    return getattr(obj, name)


def _find_by_name(module: str | None, qualname: str | None) -> Any:
    """What ``module.qualname`` names now, among the modules already imported (None when nothing)."""
    if not module or not qualname or "<locals>" in qualname or module not in sys.modules:
        return None
    try:
        return _import_by_name(module, qualname)
    except Exception:
        return None


class _MapMethods(Generic[P, R]):
    """``map``/``starmap``/``imap``/``imap_unordered``/``submit``, shared by the plain and the bound wrapper."""

    __wrapped__: Callable[P, R]
    _parallelize_wrapper = True  # lets our pickler recognise the proxy (see payload._Pickler)

    if TYPE_CHECKING:
        # Both wrappers are called as the function is (wrapt does it at run time); declared here so that the map
        # methods' ``self: Callable[...]`` is a supertype of this class.
        def __call__(self, /, *args: P.args, **kwargs: P.kwargs) -> R: ...

    def _parallelize_reduce(self) -> tuple[Any, ...]:
        """How our own pickler (process workers) sends this wrapper; see ``ParallelFunction``."""
        reduced: tuple[Any, ...] = self.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # type: ignore[assignment]
        return reduced

    def _parallel_options(self) -> Options:
        raise NotImplementedError

    def _parallel_limits(self) -> Limits | None:
        raise NotImplementedError

    # -- plumbing -----------------------------------------------------------------------------------------------
    def _backend(self) -> Backend:
        options = self._parallel_options()
        return resolve_backend(options.backend, n_jobs=options.n_jobs, io=options.io,
                               max_concurrency=options.max_concurrency or 32)

    def _spec(self, backend: Backend, args: tuple[Any, ...], kwargs: dict[str, Any], *, star: bool = False,
              star_kwargs: bool = False, fn: Callable[..., Any] | None = None) -> CallSpec:
        init_key = getattr(self, "_self_init_key", None) or _init_key(self)
        return policy.call_spec(fn or self.__wrapped__, args, kwargs, backend, self._parallel_options(),
                                self._parallel_limits(), init_key, star=star, star_kwargs=star_kwargs,
                                loop_body=fn is not None)

    def _run(self, items: Iterable[Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, star: bool = False,
             mode: str = "list", fn: Callable[..., Any] | None = None, caller_share: int | None = None) -> Any:
        options = self._parallel_options()
        if fn is None and inspect.iscoroutinefunction(self.__wrapped__):
            from parallelize._scheduler.aio import run_async, stream_async

            if mode == "list":
                return run_async(self.__wrapped__, items, args, kwargs, star=star, options=options,
                                 limits=self._parallel_limits())
            return stream_async(self.__wrapped__, items, args, kwargs, star=star, ordered=(mode == "ordered"),
                                options=options, limits=self._parallel_limits())
        backend = self._backend()
        spec = self._spec(backend, args, kwargs, star=star, fn=fn)
        common: dict[str, Any] = {"batch_size": policy.batch_size_for(options), "timeout": options.timeout,
                                  "on_error": options.on_error, "progress": options.progress,
                                  "description": getattr(self.__wrapped__, "__name__", "tasks")}
        if mode == "list":
            return run_list(spec, items, backend, **common)
        return run_iter(spec, items, backend, ordered=(mode == "ordered"), caller_share=caller_share, **common)

    def _loop_runner(self, iteration: Callable[..., Any], items: Iterable[Any], env: dict[str, Any]
                     ) -> Iterator[Any]:
        """Run a rewritten loop's iterations (loop mode): results in iteration order, lazily.

        On local process pools (loky) the first, cheap iterations may run in the caller under one worker's
        BLAS/OpenMP share (see ``Execution._in_caller``): there a round trip costs more than a tiny iteration.
        Threads run the body in this process anyway, and on Dask every iteration goes to the cluster.
        """
        backend = self._backend()
        plan: LoopPlan | None = getattr(self, "_self_loop_plan", None)  # only a loop-mode ParallelFunction has one
        if plan is not None:
            policy.check_loop_backend(plan, backend, self.__wrapped__.__qualname__)
        return self._run(  # type: ignore[no-any-return]
            items, (env,), {}, mode="ordered", fn=iteration, caller_share=policy.caller_share_for(backend))

    # -- public -------------------------------------------------------------------------------------------------
    # Each map method has two overloads for type checkers: an ``async def`` function's results are what its
    # coroutines return (``.map`` awaits them on an event loop), any other function's are what it returns.
    # ``self`` is typed as the callable it is, which both mypy and pyright can split into the item's parameter and
    # the rest (mypy cannot infer ``Item`` from ``_MapMethods[Concatenate[Item, Rest], ...]``: it stays Never).
    # mypy checks such a ``self`` against this class with its type variables erased to ``object``, which no
    # coroutine return type accepts, hence the ``misc`` ignores on the async overloads: their callers are checked.
    @overload
    def map(  # type: ignore[misc]
        self: Callable[Concatenate[Item, Rest], AsyncResult[Result]], items: Iterable[Item], /,
        *args: Rest.args, **kwargs: Rest.kwargs,
    ) -> list[Result]: ...
    @overload
    def map(self: Callable[Concatenate[Item, Rest], Result], items: Iterable[Item], /,
            *args: Rest.args, **kwargs: Rest.kwargs) -> list[Result]: ...
    def map(self, items: Iterable[Any], /, *args: Any, **kwargs: Any) -> list[Any]:
        """Call the function on every item in parallel; return the results in input order.

        ``f.map(items, *args, **kwargs)`` equals ``[f(item, *args, **kwargs) for item in items]``. ``args`` and
        ``kwargs`` are broadcast: serialized once per call and sent once per worker.
        """
        return self._run(items, args, kwargs)  # type: ignore[no-any-return]

    # The items' own types are not checked: a tuple's length and element types cannot be matched to a ParamSpec.
    @overload
    def starmap(  # type: ignore[misc]
        self: Callable[Rest, AsyncResult[Result]], items: Iterable[Iterable[Any]], /,
        *args: Any, **kwargs: Any,
    ) -> list[Result]: ...
    @overload
    def starmap(self: Callable[Rest, Result], items: Iterable[Iterable[Any]], /,
                *args: Any, **kwargs: Any) -> list[Result]: ...
    def starmap(self, items: Iterable[Iterable[Any]], /, *args: Any, **kwargs: Any) -> list[Any]:
        """Like :meth:`map`, unpacking each item: ``[f(*item, *args, **kwargs) for item in items]``."""
        return self._run(items, args, kwargs, star=True)  # type: ignore[no-any-return]

    @overload
    def imap(  # type: ignore[misc]
        self: Callable[Concatenate[Item, Rest], AsyncResult[Result]], items: Iterable[Item], /,
        *args: Rest.args, **kwargs: Rest.kwargs,
    ) -> Iterator[Result]: ...
    @overload
    def imap(self: Callable[Concatenate[Item, Rest], Result], items: Iterable[Item], /,
             *args: Rest.args, **kwargs: Rest.kwargs) -> Iterator[Result]: ...
    def imap(self, items: Iterable[Any], /, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Lazily yield results in input order, pulling items as workers free up (endless inputs work)."""
        return self._run(items, args, kwargs, mode="ordered")  # type: ignore[no-any-return]

    @overload
    def imap_unordered(  # type: ignore[misc]
        self: Callable[Concatenate[Item, Rest], AsyncResult[Result]], items: Iterable[Item], /,
        *args: Rest.args, **kwargs: Rest.kwargs,
    ) -> Iterator[Result]: ...
    @overload
    def imap_unordered(self: Callable[Concatenate[Item, Rest], Result], items: Iterable[Item], /,
                       *args: Rest.args, **kwargs: Rest.kwargs) -> Iterator[Result]: ...
    def imap_unordered(self, items: Iterable[Any], /, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Lazily yield results in the order they finish."""
        return self._run(items, args, kwargs, mode="unordered")  # type: ignore[no-any-return]

    # The wrapper's own parameters are positional-only (``self, /``, ``items, /``), so a function's parameters
    # named ``self``, ``items`` or ``fn`` can be passed by keyword as in the plain call.
    def submit(self, /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Run one call as a background task; return a ``concurrent.futures.Future``."""
        if inspect.iscoroutinefunction(self.__wrapped__):
            raise TypeError(f"{self.__wrapped__.__name__} is an async function: await it, or use .map")
        backend = self._backend()
        spec = self._spec(backend, (), {}, star=True, star_kwargs=True)
        return submit_one(spec, CallArguments((args, dict(kwargs))), backend,
                          timeout=self._parallel_options().timeout)


def _rebuild(wrapped: Callable[..., Any], options: Options) -> ParallelFunction[Any, Any]:
    return ParallelFunction(wrapped, options)


def _init_key(obj: Any) -> str:
    return f"{id(obj)}"


def _call_plain(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return wrapped(*args, **kwargs)


class BoundParallelFunction(wrapt.BoundFunctionWrapper, _MapMethods[P, R]):  # type: ignore[misc,type-arg,unused-ignore]
    """A :class:`ParallelFunction` bound to an instance or class (methods, classmethods)."""

    if TYPE_CHECKING:  # wrapt's own attributes, typed with this wrapper's parameters
        __wrapped__: Callable[P, R]  # the function bound to the instance or class

        def __call__(self, /, *args: P.args, **kwargs: P.kwargs) -> R: ...

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # As pickle sends a bound method: the object it is bound to, and the attribute to read on it again.
        target = self._self_owner if self._self_instance is None else self._self_instance
        name = getattr(self.__wrapped__, "__name__", None)
        found = getattr(target, name, None) if name else None
        if getattr(found, "_self_parent", None) is not self._self_parent:
            raise pickle.PicklingError(f"cannot pickle the bound parallel function {name!r}: it is not found "
                                       f"again as the attribute {name!r} of {target!r}")
        return (getattr, (target, name))

    def _parallel_options(self) -> Options:
        return self._self_parent._self_options  # type: ignore[no-any-return]

    def _parallel_limits(self) -> Limits | None:
        return self._self_parent._self_limits  # type: ignore[no-any-return]

    @property
    def _self_init_key(self) -> str:
        return self._self_parent._self_init_key  # type: ignore[no-any-return]


class ParallelFunction(wrapt.FunctionWrapper, _MapMethods[P, R]):  # type: ignore[misc,type-arg,unused-ignore]
    """A function decorated by ``parallel_for`` or ``io_bound``: callable as before, plus map methods."""

    __bound_function_wrapper__ = BoundParallelFunction
    if TYPE_CHECKING:
        __wrapped__: Callable[P, R]  # wrapt's attribute, typed with this wrapper's parameters

    def __init__(self, wrapped: Callable[P, R], options: Options,
                 loop: Callable[[Callable[..., Any]], tuple[Callable[..., Any], LoopPlan]] | None = None) -> None:
        # Loop mode: ``loop(runner)`` binds the rewritten function to a plan that runs its iterations through this
        # wrapper's map machinery (``_loop_runner``); the plan gets its runner as it is built.
        call, plan = loop(self._loop_runner) if loop is not None else (_call_plain, None)
        super().__init__(wrapped, call)
        self._self_loop_plan = plan
        self._self_options = options
        self._self_init_key = f"{id(self)}-{getattr(wrapped, '__qualname__', '')}"
        self._self_limits = policy.limits_for(options)

    def _parallel_options(self) -> Options:
        return self._self_options  # type: ignore[no-any-return]

    def _parallel_limits(self) -> Limits | None:
        return self._self_limits  # type: ignore[no-any-return]

    def __call__(self, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return super().__call__(*args, **kwargs)  # type: ignore[no-any-return]

    if TYPE_CHECKING:
        # wrapt binds the wrapper as a function is bound: read on an instance, the first parameter is taken; a
        # classmethod (first parameter ``type[...]``, either decorator order) takes the class, also when read on
        # the class. The ``misc`` ignore is the one explained above the map methods.
        @overload
        def __get__(  # type: ignore[misc]
            self: Callable[Concatenate[type[Item], Rest], Result], instance: Item | None, owner: type[Item], /,
        ) -> BoundParallelFunction[Rest, Result]: ...
        @overload
        def __get__(self, instance: None, owner: type[Any] | None = None, /) -> BoundParallelFunction[P, R]: ...
        @overload
        def __get__(self: ParallelFunction[Concatenate[Item, Rest], Result], instance: Item,
                    owner: type[Any] | None = None, /) -> BoundParallelFunction[Rest, Result]: ...
        # pyright wants every overload of wrapt's FunctionWrapper.__get__ kept; these are what binding does.
        def __get__(  # pyright: ignore[reportIncompatibleMethodOverride]
            self, instance: Any, owner: type[Any] | None = None, /) -> Any: ...

    # wrapt proxies refuse to pickle unless told how (see wrapt's "Serialising an Object Proxy").
    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickle by reference, as pickle sends a plain function: the unpickler imports it where it is defined.

        ``__main__`` included, so ``multiprocessing.Pool.map(f, ...)`` works (its workers import the main script,
        or inherit it when forked). A wrapper that cannot be found under its name again (a local function, or
        ``g = parallel_for(f)`` beside a plain ``f``) is sent as its function plus options, rebuilt on arrival.
        """
        module, qualname = self._parallelize_name()
        if _find_by_name(module, qualname) is self:
            return (_import_by_name, (module, qualname))
        return (_rebuild, (self.__wrapped__, self._self_options))

    def _parallelize_reduce(self) -> tuple[Any, ...]:
        # Our workers (loky, Dask) cannot import the caller's __main__: there, the function goes by value
        # (cloudpickle), and so do local ones. Elsewhere, by reference, as pickle does.
        module, qualname = self._parallelize_name()
        if module != "__main__" and _find_by_name(module, qualname) is self:
            return (_import_by_name, (module, qualname))
        return (_rebuild, (self.__wrapped__, self._self_options))

    def _parallelize_name(self) -> tuple[str | None, str | None]:
        return getattr(self.__wrapped__, "__module__", None), getattr(self.__wrapped__, "__qualname__", None)

    def __repr__(self) -> str:
        return f"<parallel function {getattr(self.__wrapped__, '__qualname__', self.__wrapped__)!r}>"
