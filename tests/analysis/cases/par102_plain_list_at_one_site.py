from multiprocessing import Manager, Process


def keep(sink, item):
    sink.append(item)  # PAR102


def run():
    shared = Manager().list()
    Process(target=keep, args=(shared, 1)).start()
    plain = []
    Process(target=keep, args=(plain, 2)).start()
    return shared, plain
