"""What the analysis knows about global state and about calls that only read: the catalogue behind PAR109 and
PAR601-PAR603.

Loop mode must be sound: a call whose effect is unknown is not "harmless". This module lists

* the APIs that change process-wide state: pyplot's current figure (drawing and state functions), the legacy
  global random generators (``np.random.*`` module functions, ``random.*``), and other process-wide settings
  (``os.chdir``, ``os.environ[...] =``, ``sys.path``, ``warnings``, ``logging.basicConfig``, seeding);
* the methods and functions known to leave their receiver and arguments unchanged (numpy, pandas and
  scikit-learn read-only methods, ``str``/``bytes``/``tuple`` methods, ``math``), so that a call of anything else
  on an object bound outside the iteration counts as a possible mutation (PAR109).

Names are matched after import resolution and also under the conventional aliases (``plt``, ``np``, ``pd``), so a
decorated function analysed without its module's imports is judged the same way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

CONVENTIONAL_ALIASES = {"plt": "matplotlib.pyplot", "np": "numpy", "pd": "pandas", "mpl": "matplotlib",
                        "sns": "seaborn"}

# matplotlib.pyplot functions that draw on, create or change the current figure or axes, or pyplot's state.
PYPLOT_FUNCTIONS = frozenset(
    {
        "plot", "scatter", "bar", "barh", "hist", "hist2d", "hexbin", "imshow", "matshow", "pcolor", "pcolormesh",
        "contour", "contourf", "fill", "fill_between", "fill_betweenx", "errorbar", "boxplot", "violinplot",
        "pie", "stem", "step", "stackplot", "stairs", "quiver", "streamplot", "loglog", "semilogx", "semilogy",
        "polar", "specgram", "spy", "axhline", "axvline", "axhspan", "axvspan", "hlines", "vlines", "axline",
        "text", "annotate", "figtext", "title", "suptitle", "xlabel", "ylabel", "xlim", "ylim", "xticks",
        "yticks", "xscale", "yscale", "legend", "grid", "colorbar", "clim", "set_cmap", "axis", "box",
        "tight_layout", "subplots_adjust", "margins", "minorticks_on", "minorticks_off", "tick_params",
        "ticklabel_format", "locator_params", "figure", "subplot", "subplots", "subplot2grid", "axes", "gca",
        "gcf", "sca", "cla", "clf", "close", "delaxes", "twinx", "twiny", "subplot_mosaic", "figlegend", "rc",
        "rcdefaults", "style", "ion", "ioff", "draw", "pause", "show", "savefig", "table", "barbs", "tricontour",
        "tricontourf", "tripcolor", "triplot", "eventplot", "acorr", "xcorr", "psd", "csd", "cohere",
        "magnitude_spectrum", "angle_spectrum", "phase_spectrum", "plot_date", "gci", "sci", "bone", "gray",
        "jet", "viridis", "hot", "cool", "set_loglevel", "switch_backend", "setp", "arrow", "broken_barh",
        "quiverkey",
    }
)
# Methods of matplotlib Axes, Figure and artists that draw or change the figure (on an object bound outside the
# iteration they change the caller's figure, which a worker's copy never reaches).
FIGURE_METHODS = frozenset(
    {
        "plot", "scatter", "bar", "barh", "hist", "hist2d", "hexbin", "imshow", "matshow", "pcolor", "pcolormesh",
        "contour", "contourf", "fill_between", "fill_betweenx", "errorbar", "boxplot", "violinplot", "pie",
        "stem", "stackplot", "stairs", "quiver", "streamplot", "loglog", "semilogx", "semilogy",
        "axhline", "axvline", "axhspan", "axvspan", "hlines", "vlines", "axline", "text", "annotate", "legend",
        "grid", "colorbar", "add_subplot", "add_axes", "add_patch", "add_artist", "add_collection", "add_line",
        "suptitle", "supxlabel", "supylabel", "tight_layout", "subplots_adjust", "margins", "tick_params",
        "invert_xaxis", "invert_yaxis", "barbs", "tricontour", "tricontourf", "tripcolor", "triplot",
        "eventplot", "bar_label", "clabel", "autoscale", "relim", "autoscale_view", "twinx", "twiny",
        "label_outer", "set_axis_off", "set_axis_on", "set_title", "set_xlabel", "set_ylabel", "set_zlabel",
        "set_xlim", "set_ylim", "set_zlim", "set_xticks", "set_yticks", "set_xticklabels", "set_yticklabels",
        "set_xscale", "set_yscale", "set_aspect", "set_facecolor", "set_size_inches", "set_box_aspect",
        "set_frame_on", "set_axisbelow", "set_prop_cycle", "set_visible", "set_alpha", "set_label", "savefig",
        "arrow", "axis", "broken_barh", "spy", "set_xbound", "set_ybound", "set_xmargin", "set_ymargin",
        "secondary_xaxis", "secondary_yaxis", "inset_axes", "indicate_inset",
    }
)
# scikit-learn's display classes draw through pyplot: ``RocCurveDisplay.from_predictions(..., ax=ax)``,
# ``ConfusionMatrixDisplay.from_estimator(...)`` (a new pyplot figure when ``ax`` is not given),
# ``PartialDependenceDisplay``, ``DecisionBoundaryDisplay``, ``display.plot(ax=...)``. A class is recognised by
# its name ending in ``Display``; these are the methods that draw.
DISPLAY_METHODS = frozenset({"from_estimator", "from_predictions", "from_cv_results", "plot"})
# pandas plotting draws through pyplot's current figure (or the ``ax=`` given): ``df.plot(...)``,
# ``series.plot(ax=ax)``, ``df.plot.box()``, ``df.hist()``, ``df.boxplot(column=...)``. On an object of the
# iteration's own these are recognised by their pandas form: no positional argument, or a kind string first
# (``ax.plot(x, y)`` on axes of a ``matplotlib.figure.Figure()`` made in the iteration stays accepted).
PANDAS_PLOT_METHODS = frozenset({"plot", "hist", "boxplot"})
# Keywords through which a call draws on axes or a figure it is given (``plot_tree(clf, ax=ax)``,
# ``sns.histplot(data, ax=ax)``): with an object bound outside the iteration, PAR601.
DRAW_TARGET_KEYWORDS = frozenset({"ax", "axes", "fig", "figure"})

# numpy.random module functions that draw from or reseed the legacy global generator (``RandomState``).
NUMPY_RANDOM_FUNCTIONS = frozenset(
    {
        "rand", "randn", "randint", "random_integers", "random_sample", "random", "ranf", "sample", "choice",
        "bytes", "shuffle", "permutation", "beta", "binomial", "chisquare", "dirichlet", "exponential", "f",
        "gamma", "geometric", "gumbel", "hypergeometric", "laplace", "logistic", "lognormal", "logseries",
        "multinomial", "multivariate_normal", "negative_binomial", "noncentral_chisquare", "noncentral_f",
        "normal", "pareto", "poisson", "power", "rayleigh", "standard_cauchy", "standard_exponential",
        "standard_gamma", "standard_normal", "standard_t", "triangular", "uniform", "vonmises", "wald",
        "weibull", "zipf", "seed", "set_state",
    }
)
# The ``random`` module's functions that use its hidden global ``Random`` instance.
STDLIB_RANDOM_FUNCTIONS = frozenset(
    {
        "random", "uniform", "randint", "randrange", "choice", "choices", "sample", "shuffle", "gauss",
        "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "betavariate",
        "paretovariate", "weibullvariate", "triangular", "getrandbits", "randbytes", "binomialvariate", "seed",
        "setstate",
    }
)
# Other process-wide state a loop body may change (in a worker the change is lost, or leaks into later tasks).
PROCESS_WIDE_CALLS = frozenset(
    {
        "os.chdir", "os.putenv", "os.unsetenv", "os.umask", "warnings.filterwarnings", "warnings.simplefilter",
        "warnings.resetwarnings", "logging.basicConfig", "logging.disable", "torch.manual_seed",
        "torch.cuda.manual_seed", "torch.cuda.manual_seed_all", "torch.set_num_threads", "tf.random.set_seed",
        "tensorflow.random.set_seed", "numpy.seterr", "numpy.set_printoptions", "locale.setlocale",
        "sys.setrecursionlimit", "socket.setdefaulttimeout", "decimal.setcontext", "matplotlib.use",
        "matplotlib.rcParams.update", "pandas.set_option", "sklearn.set_config", "signal.signal",
    }
)
PROCESS_WIDE_ROOTS = ("os.environ", "sys.path", "sys.modules", "matplotlib.rcParams", "plt.rcParams")

# Methods known to leave their receiver unchanged: numpy arrays, pandas objects, scikit-learn estimators (after
# fitting), str/bytes/tuple, dict/list/set read methods. Anything else called on an outer object is PAR109.
READ_ONLY_METHODS = frozenset(
    {
        # scikit-learn (fitted estimators, transformers, splitters, displays' data)
        "predict", "predict_proba", "predict_log_proba", "decision_function", "score", "score_samples",
        "transform", "inverse_transform", "get_params", "get_feature_names_out", "split", "get_n_splits",
        "kneighbors", "radius_neighbors", "staged_predict", "staged_predict_proba", "staged_decision_function",
        "apply", "decision_path", "mahalanobis", "get_precision", "get_covariance", "get_metadata_routing",
        "get_indices", "get_shape", "get_submatrix",  # biclustering estimators' fitted rows and columns
        # numpy / pandas (return new objects)
        "copy", "astype", "sum", "mean", "std", "var", "min", "max", "argmin", "argmax", "argsort", "cumsum",
        "cumprod", "prod", "dot", "flatten", "ravel", "reshape", "squeeze", "transpose", "round", "clip", "any",
        "all", "nonzero", "tolist", "item", "view", "conj", "diagonal", "trace", "searchsorted", "take",
        "compress", "repeat", "swapaxes", "ptp", "nanmean", "head", "tail", "describe", "groupby", "agg",
        "aggregate", "to_numpy", "value_counts", "unique", "nunique", "isna", "isnull", "notna", "notnull",
        "drop", "dropna", "fillna", "rename", "merge", "join", "query", "filter", "sort_values", "sort_index",
        "reset_index", "set_index", "pivot", "pivot_table", "melt", "rolling", "expanding", "resample",
        "corr", "cov", "median", "quantile", "abs", "idxmin", "idxmax", "isin", "where", "mask", "map",
        "assign", "select_dtypes", "sample_weights", "iterrows", "itertuples", "items", "keys",
        "values", "get", "count", "index", "startswith", "endswith", "format", "strip",
        "lstrip", "rstrip", "lower", "upper", "title", "replace", "encode", "decode", "find", "rfind",
        "splitlines", "partition", "rpartition", "zfill", "center", "ljust", "rjust", "isdigit", "isalpha",
        "isspace", "casefold", "capitalize", "hex", "issubset", "issuperset", "union", "intersection",
        "difference", "symmetric_difference", "isdisjoint", "to_dict", "to_list", "to_frame", "equals",
        "duplicated", "nlargest", "nsmallest", "shift", "diff", "pct_change", "rank", "explode", "stack",
        "unstack", "loc", "iloc", "at", "iat", "as_integer_ratio", "bit_length", "is_integer", "conjugate",
        "__getitem__", "__len__", "__contains__", "tocsr", "tocsc", "toarray", "todense", "getnnz",
        "with_suffix", "with_name", "joinpath", "exists", "is_file", "is_dir", "read_text", "read_bytes",
        "glob", "rglob", "iterdir", "relative_to", "resolve", "stat", "clone", "__copy__", "__deepcopy__",
        # scipy.stats distributions, frozen or not (``rvs`` draws and is not listed)
        "pdf", "logpdf", "pmf", "logpmf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "interval", "entropy",
        "moment", "stats", "support",
    }
)
# Functions (by qualified name prefix) that never mutate their arguments, apart from the known writers (``out=``,
# ``np.copyto``...) that PAR104 reports.
READ_ONLY_FUNCTION_PREFIXES = (
    "math.", "cmath.", "statistics.", "numpy.", "pandas.", "scipy.", "operator.itemgetter", "operator.attrgetter",
    "itertools.", "functools.reduce", "bisect.bisect", "collections.Counter", "collections.OrderedDict",
    "copy.", "json.dumps", "json.loads", "os.path.", "pathlib.", "time.",
    "sklearn.metrics.", "sklearn.model_selection.cross_val", "sklearn.model_selection.train_test_split",
    "sklearn.model_selection.learning_curve", "sklearn.model_selection.validation_curve",
    "sklearn.model_selection.permutation_test_score", "sklearn.base.clone", "sklearn.utils.shuffle",
    "sklearn.utils.resample", "sklearn.preprocessing.", "sklearn.datasets.", "sklearn.inspection.",
    "sklearn.compose.",
)
# Short names of read-only functions when the import is not visible (``cross_val_score`` imported elsewhere).
READ_ONLY_FUNCTION_NAMES = frozenset(
    {
        "cross_val_score", "cross_validate", "cross_val_predict", "train_test_split", "clone", "learning_curve",
        "validation_curve", "permutation_test_score", "accuracy_score", "mean_squared_error", "r2_score",
        "f1_score", "roc_auc_score", "log_loss", "deepcopy", "copy", "open", "next",
    }
)
# Functions that return a fitted *copy* (or no estimator), never changing the estimator passed in: they clone.
# Estimator classes take ``random_state``; built in the loop with ``random_state=None`` they draw from the global
# RNG (PAR602).
RNG_KEYWORD = "random_state"
# Constructors of random generator objects. One bound outside the iteration (a module-level
# ``rng = np.random.RandomState(0)``, or one made before the loop) is shared state: every draw advances it, so
# process workers, each drawing from its own copy, repeat numbers the serial loop never draws (PAR109).
RNG_CONSTRUCTORS = frozenset(
    {
        "numpy.random.RandomState", "numpy.random.default_rng", "numpy.random.Generator",
        "numpy.random.mtrand.RandomState", "random.Random", "sklearn.utils.check_random_state",
    }
)


def rng_object(qualify: Callable[[str], str], value: ast.expr | None) -> bool:
    """Return whether ``value`` (what a name was bound to) builds a random generator object."""
    from parallelize._analysis.scopes import dotted_name

    if not isinstance(value, ast.Call):
        return False
    func = value.func
    while isinstance(func, ast.Attribute):
        func = func.value
    if isinstance(func, ast.Call):
        return False  # ``RandomState(0).randn(3)``: what a generator's method returned, not the generator
    dotted = dotted_name(value.func)
    return bool(dotted) and conventional(qualify(dotted)) in RNG_CONSTRUCTORS


def conventional(dotted: str) -> str:
    """Return ``dotted`` with a conventional alias (``plt``, ``np``, ``pd``) spelled out."""
    first, _, rest = dotted.partition(".")
    origin = CONVENTIONAL_ALIASES.get(first)
    if origin is None:
        return dotted
    return f"{origin}.{rest}" if rest else origin


def pyplot_call(qualified: str) -> bool:
    """Return whether ``qualified`` is a pyplot drawing or state function."""
    module, _, name = qualified.rpartition(".")
    if module == "seaborn":  # seaborn's axes-level and figure-level functions draw through pyplot
        return name.endswith("plot") or name in {"heatmap", "clustermap", "despine"}
    return module == "matplotlib.pyplot" and name in PYPLOT_FUNCTIONS


def display_class(dotted: str) -> bool:
    """Return whether ``dotted`` (``RocCurveDisplay``, ``metrics.RocCurveDisplay``) names a display class."""
    return dotted.rpartition(".")[2].endswith("Display")


def figure_method(method: str) -> bool:
    """Return whether ``method`` draws on or changes a matplotlib Axes or Figure."""
    return method in FIGURE_METHODS and method != "savefig"


def global_rng_call(qualified: str) -> bool:
    """Return whether ``qualified`` draws from (or reseeds) a legacy process-global random generator."""
    module, _, name = qualified.rpartition(".")
    return (module == "numpy.random" and name in NUMPY_RANDOM_FUNCTIONS) or (
        module == "random" and name in STDLIB_RANDOM_FUNCTIONS
    )


def process_wide_call(qualified: str) -> bool:
    """Return whether ``qualified`` changes process-wide state other than pyplot and the RNG."""
    return qualified in PROCESS_WIDE_CALLS


def read_only_function(qualified: str, short: str) -> bool:
    """Return whether the function leaves its arguments unchanged (catalogue)."""
    return short in READ_ONLY_FUNCTION_NAMES or qualified.startswith(READ_ONLY_FUNCTION_PREFIXES)
