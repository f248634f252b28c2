"""Decorated functions and methods defined in a script's ``__main__``, run as a real script in a subprocess.

``pickle`` (and so ``multiprocessing``) sends them by reference, as it sends plain ``__main__`` functions; our
own process workers (loky, Dask), which cannot import the caller's ``__main__``, get them by value.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent('''
    import json
    import multiprocessing
    import pickle
    import subprocess
    import sys

    import cloudpickle

    from parallelize import ParallelFunction, parallel_for
    from parallelize._scheduler import payload


    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    def inner(x):
        return x + 1


    def plain_inner(x):
        return x + 1


    def uses_map(n):
        return inner.map(range(n))


    def sees_the_decorator(_):
        return isinstance(inner, ParallelFunction) and hasattr(inner, "map")


    class Model:
        def __init__(self, w):
            self.w = w

        @parallel_for(loop=False, batch_size=1, n_jobs=2)
        def predict(self, x):
            return self.w * x

        @parallel_for(loop=False, batch_size=1, n_jobs=2)
        @classmethod
        def name(cls, x):
            return f"{cls.__name__}{x}"


    @parallel_for(loop=False, batch_size=1, n_jobs=2)
    def outer(n):  # runs on a loky worker, which gets `inner` by value with its decorator
        return uses_map(n)


    if __name__ == "__main__":
        out = {}
        out["pickle_is_identity"] = pickle.loads(pickle.dumps(inner)) is inner
        model = Model(3)
        out["bound_pickles"] = pickle.loads(pickle.dumps(model.predict)).map([1, 2])
        for method in sys.argv[1:]:
            with multiprocessing.get_context(method).Pool(2) as pool:
                out[method] = [pool.map(inner, [1, 2, 3]), pool.map(plain_inner, [1, 2, 3]),
                               pool.map(uses_map, [2, 3]), pool.map(sees_the_decorator, [0]),
                               pool.map(model.predict, [1, 2]), pool.map(Model.name, [1])]
        # Our own pickler still sends __main__ functions by value: loky workers cannot import this script.
        load = "import pickle, sys; f = pickle.loads(sys.stdin.buffer.read()); print(f(1), f.map([1, 2]))"
        out["by_value"] = subprocess.run([sys.executable, "-c", load], input=payload.dumps(inner),
                                         capture_output=True, check=True).stdout.decode().split()
        out["loky"] = [outer.map([2, 3]), model.predict.map([1, 2]), Model.name.map([1])]
        # Known limit (README): plain cloudpickle sends a __main__ function by value as a plain function.
        clone = cloudpickle.loads(cloudpickle.dumps(inner))
        out["cloudpickle"] = [clone(1), hasattr(clone, "map")]
        print(json.dumps(out))
''')


def test_main_module_functions_work_with_pickle_multiprocessing_and_our_workers(tmp_path: Path) -> None:
    script = tmp_path / "legacy_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), "spawn", "fork"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["pickle_is_identity"] is True
    assert out["bound_pickles"] == [3, 6]
    serial = [[2, 3, 4], [2, 3, 4], [[1, 2], [1, 2, 3]], [True], [3, 6], ["Model1"]]
    assert out["spawn"] == serial
    assert out["fork"] == serial
    assert out["by_value"] == ["2", "[2,", "3]"]
    assert out["loky"] == [[[1, 2], [1, 2, 3]], [3, 6], ["Model1"]]
    assert out["cloudpickle"] == [2, False]
