import os
import threading


def work(name):
    os.environ["JOB"] = name  # PAR401


threading.Thread(target=work, args=("a",)).start()
