import threading

counter_lock = threading.Lock()
count = 0


def bump():
    global count
    with counter_lock:
        count += 1


for _ in range(4):
    threading.Thread(target=bump).start()
