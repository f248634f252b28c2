"""What the analysis knows about the standard library, numpy and pandas: which calls mutate, write or read.

Each list errs towards reporting (a false "safe" silently changes results under ``@parallel_for``); calls not
listed here are assumed not to mutate their arguments (``--strict`` reports those too).
"""

from __future__ import annotations

# list, dict, set, deque, bytearray, numpy and pandas methods that change their receiver in place.
MUTATING_METHODS = frozenset(
    {
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "add",
        "discard", "popitem", "appendleft", "extendleft", "popleft", "rotate", "difference_update",
        "intersection_update", "symmetric_difference_update", "fill", "put", "resize", "itemset", "partition",
        "setflags", "byteswap", "__setitem__", "__delitem__", "__iadd__", "move_to_end", "subtract",
        "set_value", "drop_duplicates_inplace", "fromlist", "frombytes", "fromfile", "fromunicode",
    }
)
# Methods that write through a file-like object.
WRITE_METHODS = frozenset({"write", "writelines", "writerow", "writerows", "truncate"})
# ``json.dump(obj, f)``-style functions whose second argument is a file written to.
FILE_DUMPERS = frozenset({"dump"})
# numpy functions that write into their first argument.
FIRST_ARG_WRITERS = frozenset({"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"})
# Methods that read into a buffer passed as their first argument (``f.readinto(buf)``, ``sock.recv_into(buf)``).
INTO_METHODS = frozenset({"readinto", "readinto1", "recv_into", "recvfrom_into"})
# Standard-library functions that change an argument in place: qualified name → index of that argument. Matched
# on the name as imported (``import heapq as hq``, ``from heapq import heappush`` resolve to these).
ARGUMENT_WRITERS: dict[str, int] = {
    **dict.fromkeys(["heapq.heappush", "heapq.heappop", "heapq.heapify", "heapq.heapreplace", "heapq.heappushpop"],
                    0),
    **dict.fromkeys(["bisect.insort", "bisect.insort_left", "bisect.insort_right"], 0),
    **dict.fromkeys([f"operator.{name}" for op in (
        "setitem", "delitem", "iadd", "iand", "iconcat", "ifloordiv", "ilshift", "imatmul", "imod", "imul", "ior",
        "ipow", "irshift", "isub", "itruediv", "ixor",
    ) for name in (op, f"__{op}__")], 0),
    "random.shuffle": 0,
    "struct.pack_into": 1,
    "ctypes.memmove": 0,
    "ctypes.memset": 0,
}
# Method names called for an effect outside the object (a file, the screen, a log, the network), so a method call
# statement with one of these names on an outer object is not reported as a likely mutation (PAR108). An entry
# ending in ``*`` is a prefix. Writes through an outer file handle (``write``, ``writelines``) are PAR106's.
OUTWARD_METHODS = (
    "to_*", "tofile", "save*", "write_text", "write_bytes", "print*", "pprint", "display", "show",
    "log", "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal",
    "assert*", "close", "flush", "send", "sendall", "upload*", "download*", "mkdir", "makedirs", "touch",
    "unlink", "rmdir",
)


def is_outward(method: str) -> bool:
    """Return whether calling ``method`` for its side effect only acts outside the object (PAR108 allowlist)."""
    return any(method.startswith(entry[:-1]) if entry.endswith("*") else method == entry
               for entry in OUTWARD_METHODS)


# Methods returning a part of the receiver (so the result aliases it), as opposed to a fresh object.
ALIAS_METHODS = frozenset({"get", "setdefault", "__getitem__", "view", "reshape", "ravel", "T", "values"})
# Calls that change state shared by every thread of a process (harmless per process, a race between threads).
PROCESS_STATE_CALLS = frozenset(
    {
        "os.chdir", "os.putenv", "os.unsetenv", "os.umask", "random.seed", "np.random.seed", "numpy.random.seed",
        "locale.setlocale", "signal.signal", "sys.setrecursionlimit", "warnings.simplefilter",
        "warnings.filterwarnings", "torch.manual_seed", "socket.setdefaulttimeout", "np.seterr", "numpy.seterr",
        "np.set_printoptions", "numpy.set_printoptions", "decimal.setcontext", "plt.figure", "matplotlib.use",
        "sys.settrace", "sys.setprofile", "threading.settrace",
    }
)
PROCESS_STATE_ROOTS = frozenset({"os.environ", "sys.path", "sys.modules", "sys.stdout", "sys.stderr", "sys.argv"})
# Builtins that never mutate their arguments (skipped by ``--strict``).
PURE_BUILTINS = frozenset(
    {
        "len", "print", "str", "repr", "int", "float", "bool", "complex", "isinstance", "issubclass", "sum", "max",
        "min", "sorted", "list", "tuple", "dict", "set", "frozenset", "enumerate", "zip", "range", "abs", "round",
        "any", "all", "type", "id", "hash", "iter", "format", "hasattr", "getattr", "callable", "divmod", "pow",
        "map", "filter", "reversed", "bytes", "ord", "chr", "hex", "oct", "bin", "vars", "dir",
    }
)
