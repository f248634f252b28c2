from parallelize import parallel_for


@parallel_for
def odd_slots(items, table):
    j = 1
    slots = {}
    for item in items:
        slots[j] = item  # PAR301
        j = j * 2 + 1  # PAR301
    return slots
