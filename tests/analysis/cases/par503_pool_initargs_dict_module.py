"""PAR503: at module level, a dict in initargs changed between Pool() and apply_async."""

import multiprocessing as mp

_conf = {}


def init(conf):
    _conf.update(conf)


def job(x):
    return x * _conf["factor"]


settings = {"factor": 2}
workers = mp.Pool(2, init, (settings,))
settings["factor"] = 3  # PAR503: 1
result = workers.apply_async(job, (5,)).get()
