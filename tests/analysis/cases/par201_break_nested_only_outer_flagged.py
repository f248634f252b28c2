from parallelize import parallel_for


@parallel_for
def scan(rows):
    hits = []
    for row in rows:
        for cell in row:
            if cell:
                break
        else:
            continue
        if not row:
            break  # PAR201
        hits.append(row)
    return hits
