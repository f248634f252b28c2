from parallelize import io_bound


@io_bound
async def fetch_all(urls, session):
    pages = []
    for url in urls:
        pages.append(await session.get(url))  # PAR203: 22
    return pages
