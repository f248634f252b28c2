from concurrent.futures import ThreadPoolExecutor

latest = None


def fetch(url):
    global latest
    latest = url  # PAR204


with ThreadPoolExecutor() as ex:
    ex.map(fetch, ["a"])
