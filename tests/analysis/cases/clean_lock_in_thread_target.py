import threading

lock = threading.Lock()
counts = {}


def work(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1


threading.Thread(target=work, args=("a",)).start()
