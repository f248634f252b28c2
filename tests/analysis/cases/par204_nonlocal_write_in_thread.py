import threading


def run():
    count = 0

    def work():
        nonlocal count
        count = count + 1  # PAR204

    t = threading.Thread(target=work)
    t.start()
