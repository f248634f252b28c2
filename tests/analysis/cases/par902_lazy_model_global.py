from multiprocessing import Pool

_model = None


def load_model():
    return lambda x: x * 2


def predict(x):
    global _model
    if _model is None:
        _model = load_model()  # PAR902
    return _model(x)  # PAR901


with Pool() as pool:
    pool.map(predict, range(4))
