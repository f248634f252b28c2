"""Refused (issue 12): a warnings filter set outside `catch_warnings`, or after its block, stays set in the worker
for the tasks that follow; under threads (`@io_bound`) `catch_warnings` itself changes the one shared filter list,
so even the scoped form is reported there (PAR401)."""
import warnings

from parallelize import io_bound, parallel_for


@parallel_for
def unscoped(paths, load):
    out = []
    for path in paths:
        warnings.simplefilter("ignore")  # PAR603
        out.append(load(path))
    return out


@parallel_for
def after_the_block(paths, load):
    out = []
    for path in paths:
        with warnings.catch_warnings():
            out.append(load(path))
        warnings.filterwarnings("ignore")  # PAR603
    return out


@io_bound
def on_threads(paths, load):
    out = []
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PAR401
            out.append(load(path))
    return out
