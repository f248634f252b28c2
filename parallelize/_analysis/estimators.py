"""What the analysis knows about scikit-learn estimators: which classes draw from ``random_state`` when it is left
at ``None`` (then from numpy's global generator, PAR602), and which constructors keep what they are given.

scikit-learn's API contract (developer guide, "Instantiation" and "Fitting"; checked on every estimator by its
common tests ``check_dont_overwrite_parameters`` and ``check_estimators_overwrite_params``): ``__init__`` only
stores its arguments, and ``fit`` changes none of them; meta-estimators ``clone`` the estimators they are given.
Two exceptions matter to a parallel loop: a ``RandomState`` instance given as ``random_state`` is advanced by every
fit, and ``Pipeline``/``FeatureUnion`` (and ``make_pipeline``/``make_union``) fit the steps they are given in place.

Classes are matched by their short name after import resolution (``sklearn.ensemble.RandomForestClassifier``),
or by the short name alone when the import is not visible. The lists were checked against scikit-learn 1.7 and
1.9 (``inspect.signature`` of every class of ``sklearn.utils.all_estimators`` and ``sklearn.model_selection``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from parallelize._analysis.globalstate import conventional
from parallelize._analysis.scopes import dotted_name

#: Classes whose fit (or split) draws from ``random_state`` with their default settings: left at ``None`` they draw
#: from numpy's global generator. Some only draw on large inputs (``HistGradientBoosting*`` early stopping past
#: 10,000 samples, ``PCA``'s and ``KernelPCA``'s randomized solvers, ``QuantileTransformer``'s and
#: ``KBinsDiscretizer``'s subsampling): listed, since the data size is not known statically.
RANDOM_BY_DEFAULT = frozenset(
    {
        "AdaBoostClassifier", "AdaBoostRegressor", "AffinityPropagation", "BaggingClassifier", "BaggingRegressor",
        "BayesianGaussianMixture", "BernoulliRBM", "BisectingKMeans", "DecisionTreeClassifier",
        "DecisionTreeRegressor", "DictionaryLearning", "EllipticEnvelope", "ExtraTreeClassifier",
        "ExtraTreeRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor", "FastICA", "GaussianMixture",
        "GaussianRandomProjection", "GradientBoostingClassifier", "GradientBoostingRegressor",
        "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "IsolationForest", "KBinsDiscretizer",
        "KMeans", "KernelPCA", "LatentDirichletAllocation", "LinearSVC", "LinearSVR", "LocallyLinearEmbedding",
        "MDS", "MLPClassifier", "MLPRegressor", "MinCovDet", "MiniBatchDictionaryLearning", "MiniBatchKMeans",
        "MiniBatchNMF", "MiniBatchSparsePCA", "NMF", "Nystroem", "OutputCodeClassifier", "PCA",
        "PassiveAggressiveClassifier", "PassiveAggressiveRegressor", "PolynomialCountSketch",
        "QuantileTransformer", "RANSACRegressor", "RBFSampler", "RandomForestClassifier", "RandomForestRegressor",
        "RandomTreesEmbedding", "RandomizedSearchCV", "SGDClassifier", "SGDOneClassSVM", "SGDRegressor",
        "SkewedChi2Sampler", "SparsePCA", "SparseRandomProjection", "SpectralBiclustering", "SpectralClustering",
        "SpectralCoclustering", "SpectralEmbedding", "TSNE", "TargetEncoder", "TheilSenRegressor", "TruncatedSVD",
        "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold",
        "ParameterSampler", "HalvingRandomSearchCV",
    }
)
#: Classes that draw only with an option: class → (keyword, the constant values with which they do not draw).
#: Absent, or one of those constants: no draw; any other value (or one not known statically): they may draw.
RANDOM_WITH_OPTION: dict[str, tuple[str, frozenset[object]]] = {
    **dict.fromkeys(["SVC", "NuSVC"], ("probability", frozenset({False}))),
    "DummyClassifier": ("strategy", frozenset({"prior", "most_frequent", "constant"})),
    **dict.fromkeys(["ElasticNet", "Lasso", "MultiTaskElasticNet", "MultiTaskLasso", "ElasticNetCV", "LassoCV",
                     "MultiTaskElasticNetCV", "MultiTaskLassoCV"], ("selection", frozenset({"cyclic"}))),
    **dict.fromkeys(["Lars", "LassoLars"], ("jitter", frozenset({None}))),
    **dict.fromkeys(["LogisticRegression", "LogisticRegressionCV"],
                    ("solver", frozenset({"lbfgs", "newton-cg", "newton-cholesky"}))),
    **dict.fromkeys(["Ridge", "RidgeClassifier"],
                    ("solver", frozenset({"auto", "svd", "cholesky", "lsqr", "sparse_cg", "lbfgs"}))),
    **dict.fromkeys(["KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold"],
                    ("shuffle", frozenset({False}))),
    **dict.fromkeys(["GaussianProcessClassifier", "GaussianProcessRegressor"],
                    ("n_restarts_optimizer", frozenset({0}))),
    **dict.fromkeys(["ClassifierChain", "RegressorChain"], ("order", frozenset({None}))),
    "NeighborhoodComponentsAnalysis": ("init", frozenset({"auto", "pca", "lda", "identity"})),
    "PatchExtractor": ("max_patches", frozenset({None})),
}
#: Not listed: ``FactorAnalysis`` and ``Perceptron`` (their default ``random_state`` is ``0``), and
#: ``TunedThresholdClassifierCV`` (draws only with a float ``cv``), whose unseeded use is not recognised.

#: Classes that take ``random_state`` positionally (every other class takes it by keyword only).
POSITIONAL_RANDOM_STATE = frozenset({"SGDOneClassSVM", "TargetEncoder", "StratifiedGroupKFold"})
#: Constructors that fit the estimators they are given in place (not clones).
IN_PLACE_FITTERS = frozenset({"Pipeline", "FeatureUnion", "make_pipeline", "make_union"})


def estimator_class(qualified: str) -> str | None:
    """Return the short name of the scikit-learn class ``qualified`` names (``sklearn.svm.SVC`` → ``SVC``), or
    ``None``. A name whose import is not visible counts when it is a class of the catalogues above."""
    module, _, name = qualified.rpartition(".")
    if not name[:1].isupper():
        return None
    if module.split(".")[0] == "sklearn":
        return name
    known = name in RANDOM_BY_DEFAULT or name in RANDOM_WITH_OPTION
    return name if not module and known else None


#: Classes of :data:`RANDOM_BY_DEFAULT` that do not draw with an option: class → (keyword, those constant values).
QUIET_WITH_OPTION: dict[str, tuple[str, frozenset[object]]] = {
    **dict.fromkeys(["LinearSVC", "LinearSVR"], ("dual", frozenset({False}))),  # liblinear's primal solver
    "PCA": ("svd_solver", frozenset({"full", "covariance_eigh"})),
    **dict.fromkeys(["KernelPCA", "LocallyLinearEmbedding"], ("eigen_solver", frozenset({"dense"}))),
}
#: Options under which a class of :data:`QUIET_WITH_OPTION` draws all the same: ``LinearSVC(penalty="l1",
#: dual=False)`` is liblinear's L1 coordinate descent, which visits the coordinates in a random order.
DRAWS_ANYWAY_WITH: dict[str, tuple[str, frozenset[object]]] = {"LinearSVC": ("penalty", frozenset({"l1"}))}


def draws_unseeded_function(call: ast.Call, qualified: str) -> bool:
    """Return whether a scikit-learn function called as ``call`` draws from numpy's global generator: its
    ``random_state`` left at ``None`` (the default) in the dataset generators (``make_blobs``, ``make_moons``...),
    ``train_test_split`` (unless ``shuffle=False``), ``sklearn.utils.shuffle``/``resample`` and
    ``permutation_importance``."""
    if not qualified.startswith("sklearn.") or any(k.arg is None for k in call.keywords):
        return False
    given = _given(call, "random_state")
    if given is not None and not (isinstance(given, ast.Constant) and given.value is None):
        return False
    module, _, name = qualified.rpartition(".")
    if module.startswith("sklearn.datasets") and name.startswith("make_"):
        return True
    if name == "train_test_split":
        return not _is_one_of(_given(call, "shuffle"), frozenset({False}))
    return (module.startswith("sklearn.utils") and name in {"shuffle", "resample"}) or name == "permutation_importance"


def seeding_mapping(value: ast.expr | None) -> bool:
    """Return whether ``**value`` gives a ``random_state`` other than ``None``: a dict display or ``dict(...)``
    call with that key (or a list or tuple display of such mappings, for an item of one)."""
    if isinstance(value, (ast.List, ast.Tuple)):
        return bool(value.elts) and all(seeding_mapping(e) for e in value.elts)
    if isinstance(value, ast.Dict):
        pairs = [(k.value, v) for k, v in zip(value.keys, value.values, strict=True) if isinstance(k, ast.Constant)]
    elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict":
        pairs = [(k.arg, k.value) for k in value.keywords]
    else:
        return False
    return any(k == "random_state" and not (isinstance(v, ast.Constant) and v.value is None) for k, v in pairs)


def _given(call: ast.Call, keyword: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _is_one_of(value: ast.expr | None, constants: frozenset[object]) -> bool:
    return isinstance(value, ast.Constant) and value.value in constants


def constructed_class(call: ast.Call, qualify: Callable[[str], str]) -> str | None:
    """Return the scikit-learn class ``call`` constructs (:func:`estimator_class`), or ``None``; a method called on
    what a call returned (``KMeans().fit(X)``) constructs nothing."""
    if isinstance(root_of(call.func), ast.Call):
        return None
    dotted = dotted_name(call.func)
    return estimator_class(conventional(qualify(dotted))) if dotted else None


def draws_unseeded(call: ast.Call, name: str, seeds: Callable[[ast.expr], bool] = lambda _m: False) -> bool:
    """Return whether ``name(...)`` built by ``call`` draws from numpy's global generator: a catalogued class given
    no ``random_state``. ``seeds(m)`` says whether a ``**m`` argument gives one; when it does not say, the
    mapping counts as giving none (the estimator may draw)."""
    if _given(call, "random_state") is not None or any(k.arg is None and seeds(k.value) for k in call.keywords):
        return False
    if name in POSITIONAL_RANDOM_STATE and len(call.args) > 1:
        return False
    if name in RANDOM_BY_DEFAULT:
        quiet = QUIET_WITH_OPTION.get(name)
        anyway = DRAWS_ANYWAY_WITH.get(name)
        if anyway is not None and _is_one_of(_given(call, anyway[0]), anyway[1]):
            return True
        return quiet is None or not _is_one_of(_given(call, quiet[0]), quiet[1])
    option = RANDOM_WITH_OPTION.get(name)
    if option is None:
        return False
    given = _given(call, option[0])
    return given is not None and not _is_one_of(given, option[1])


#: Functions that return (a container of) the estimators they are given, unfitted.
_WRAPPERS = frozenset({"make_pipeline", "make_union", "make_column_transformer", "clone", "deepcopy", "dict",
                       "list", "tuple"})
#: Methods that fill a collection with what they are given (``models.append(KMeans())``).
_FILLING_METHODS = frozenset({"append", "extend", "insert", "update", "setdefault", "add"})


def _built_unseeded(expr: ast.expr, qualify: Callable[[str], str], seeds: Callable[[ast.expr], bool]) -> str | None:
    """The first catalogued constructor without ``random_state`` that ``expr`` builds as (a part of) a value: in
    a display, as the value itself, or as an argument of a call that wraps it (``make_pipeline(..., KMeans())``);
    not in what another call returns (``PCA().fit_transform(X)``)."""
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        parts: list[ast.expr] = list(expr.elts)
    elif isinstance(expr, ast.Dict):
        parts = list(expr.values)
    elif isinstance(expr, ast.Starred):
        parts = [expr.value]
    elif isinstance(expr, ast.Call) and not isinstance(root_of(expr.func), ast.Call):
        dotted = dotted_name(expr.func)
        name = constructed_class(expr, qualify)
        if name is not None and draws_unseeded(expr, name, seeds):
            return f"{dotted}(...)"
        if not (dotted.rpartition(".")[2][:1].isupper() or dotted.rpartition(".")[2] in _WRAPPERS):
            return None  # ``cross_val_predict(KMeans(), X)``, ``PCA().fit_transform(X)``: a result, fitted already
        parts = [*expr.args, *(k.value for k in expr.keywords)]
    else:
        return None
    for part in parts:
        found = _built_unseeded(part, qualify, seeds)
        if found is not None:
            return found
    return None


def root_of(node: ast.expr) -> ast.expr:
    """Return the innermost receiver of ``a.b.c`` (``a``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def filled_values(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """Map each name to the values put in it anywhere in ``tree``: assigned to it (``models = {...}``), to one of
    its items (``models["rf"] = ...``), or given to a filling method (``models.append(...)``)."""
    fills: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                root = root_of(target.value if isinstance(target, ast.Subscript) else target)
                if isinstance(root, ast.Name) and isinstance(target, (ast.Name, ast.Subscript)):
                    fills.setdefault(root.id, []).append(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in _FILLING_METHODS and isinstance(node.func.value, ast.Name)):
            fills.setdefault(node.func.value.id, []).extend([*node.args, *(k.value for k in node.keywords)])
    return fills


#: Calls that iterate over the elements of their arguments (``zip(names, models)``, ``sorted(models.items())``).
_ELEMENT_CALLS = frozenset({"zip", "enumerate", "sorted", "reversed", "list", "tuple", "iter"})


def iterated_names(iterable: ast.expr) -> list[str]:
    """Return the names whose elements (or values) ``for ... in iterable`` binds: ``models``, ``models.items()``,
    ``zip(names, models)``, ``enumerate(models.values())``; not ``reg.staged_predict(X)``."""
    if isinstance(iterable, ast.Name):
        return [iterable.id]
    if isinstance(iterable, ast.Call):
        func = iterable.func
        if isinstance(func, ast.Name) and func.id in _ELEMENT_CALLS:
            return [n for a in iterable.args for n in iterated_names(a.value if isinstance(a, ast.Starred) else a)]
        if isinstance(func, ast.Attribute) and func.attr in {"items", "values"} and not iterable.args:
            return iterated_names(func.value)
    return []


def filled_seeds(fills: dict[str, list[ast.expr]], mapping: ast.expr) -> bool:
    """Return whether ``**mapping`` gives a ``random_state``: a name every value put in which (see
    :func:`filled_values`) is a :func:`seeding_mapping`."""
    values = fills.get(mapping.id, []) if isinstance(mapping, ast.Name) else []
    return bool(values) and all(seeding_mapping(v) for v in values)


def unseeded_items(fills: dict[str, list[ast.expr]], loop: ast.For | ast.AsyncFor, private: set[str],
                   qualify: Callable[[str], str]) -> tuple[ast.AST, str] | None:
    """Return where and which catalogued estimator built without ``random_state`` the iterations fit: one the
    loop iterates over (in its iterable, or put in a collection the iterable names, see :func:`filled_values`)
    when the body gives a loop target to a call or calls one of its methods (reported at the iterable), or one an
    outer name holds that the body passes to a call (``cross_val_score(model, X, y)`` clones and fits it;
    reported at the call). Fitted in a worker, it draws from that worker's global generator. ``None`` when no
    such estimator is seen (one built elsewhere, or passed in, is not known)."""
    targets = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    calls = [call for stmt in loop.body for call in ast.walk(stmt) if isinstance(call, ast.Call)]

    def seeds(mapping: ast.expr) -> bool:
        return filled_seeds(fills, mapping)

    def first(values: list[ast.expr]) -> str | None:
        return next((found for v in values if (found := _built_unseeded(v, qualify, seeds)) is not None), None)

    if any(isinstance(n, ast.Name) and n.id in targets for call in calls for n in ast.walk(call)):
        found = first([loop.iter, *(v for name in iterated_names(loop.iter) for v in fills.get(name, ()))])
        if found is not None:
            return loop.iter, found
    for call in calls:
        passed = [a.id for a in (*call.args, *(k.value for k in call.keywords))
                  if isinstance(a, ast.Name) and a.id not in private]
        found = first([v for name in passed for v in fills.get(name, ())])
        if found is not None:
            return call, found
    return None
