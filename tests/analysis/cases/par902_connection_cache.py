import sqlite3
from concurrent.futures import ProcessPoolExecutor

_conn = None
_hits = 0


def query(q):
    global _conn, _hits
    if _conn is None:
        _conn = sqlite3.connect("db.sqlite")  # PAR902
    _hits += 1  # PAR204
    return _conn.execute(q).fetchall()  # PAR901


with ProcessPoolExecutor() as ex:
    list(ex.map(query, ["select 1"]))
