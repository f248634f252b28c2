from parallelize import parallel_for


@parallel_for
def first_visits(events):
    seen = set()
    firsts = []
    for user in events:
        if user not in seen:  # PAR302
            seen.add(user)
            firsts.append(user)
    return firsts
