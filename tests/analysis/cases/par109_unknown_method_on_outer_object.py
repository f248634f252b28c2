from parallelize import parallel_for


class Tracker:
    def __init__(self):
        self.seen = []

    def record(self, x):
        self.seen.append(x)
        return x

    def peek(self):
        return len(self.seen)


@parallel_for
def fit_scores(model, batches):
    scores = []
    for X, y in batches:
        scores.append(model.partial_fit(X, y).score(X, y))  # PAR109
    return scores


@parallel_for
def track(items, tracker):
    out = []
    for x in items:
        out.append(tracker.record(x))  # PAR109
        out.append(tracker.peek())  # read-only method of this module's classes: accepted
    return out


@parallel_for
def passed_on(items, buffer):
    out = []
    for x in items:
        out.append(refill(buffer, x))  # PAR109
        out.append(len(buffer))
    return out


def refill_imported_elsewhere():
    return None
