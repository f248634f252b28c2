from multiprocessing import Manager, Pool, Process


class Crawler:
    def __init__(self):
        self.manager = Manager()
        self.visited = self.manager.list()
        self.sizes = self.manager.dict()

    def visit(self, page):
        self.visited.append(page)
        self.sizes[page] = len(page)

    def crawl(self, pages):
        for page in pages:
            Process(target=self.visit, args=(page,)).start()

    def crawl_pool(self, pages):
        with Pool() as pool:
            pool.map(self.visit, pages)
