from parallelize import io_bound


@io_bound
def enrich(records, client):
    for record in records:
        record["body"] = client.get(record["url"])
