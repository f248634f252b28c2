import logging
import os
import warnings

from parallelize import parallel_for


@parallel_for
def load_all(names, load):
    out = []
    for name in names:
        os.chdir(name)  # PAR603
        warnings.filterwarnings("ignore")  # PAR603
        logging.basicConfig(level=logging.INFO)  # PAR603
        out.append(load())
    return out
