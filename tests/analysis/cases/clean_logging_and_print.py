import logging

from parallelize import parallel_for

log = logging.getLogger(__name__)


@parallel_for
def process(items):
    done = []
    for item in items:
        log.info("processing %s", item)
        print("item", item)
        done.append(item)
    return done
