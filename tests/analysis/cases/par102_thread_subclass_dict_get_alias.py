from threading import Thread


class Reader(Thread):
    def __init__(self, table):
        super().__init__()
        self.table = table  # handed in: every Reader built with it shares it

    def run(self):
        row = self.table.get("row")  # a dict's value is part of the dict
        row.append(1)  # PAR102
