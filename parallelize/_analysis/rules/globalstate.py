"""PAR109 and PAR6xx: calls whose effect is unknown or lands in process-wide state (pyplot, the global RNG,
``os.environ``...). Loop mode is sound: such a loop is refused, never run. Catalogue:
:mod:`parallelize._analysis.globalstate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

WAY_OUT = "or keep the loop serial with `@parallel_for(loop=False)`"


def _not_async(effect: Effect, mode: str) -> bool:
    return mode != "asyncio"


@rule(
    "PAR109",
    "unknown-call-on-outer-object",
    kinds={"unknown-call"},
    summary="a call that may change an object bound outside the iteration (a method or function the analysis "
    "does not know to be read-only)",
    template="`{stmt}` may change {bound} ({how}) inside {where}: if it does, {consequence}; {fix}",
    fix_loop="build the object inside the iteration (`m = clone(model)`), or collect what the call returns and "
    "apply it after the loop; a helper defined in this module is read and accepted when it changes nothing; "
    + WAY_OUT,
    fix_task="build the object inside the task, or return what the call returns",
)
def unknown_call_on_outer_object(effect: Effect, mode: str) -> bool:
    """## What it does
    In a parallel loop, reports a call of a method on an object bound outside the iteration (a name bound before
    the loop, a parameter, a global, the loop's item), or a call that receives such an object, unless the
    callee is known to leave it unchanged: a read-only method of the catalogue (`predict`, `predict_proba`,
    `score`, `transform`, `get_params`, `copy`, `astype`, `sum`, `mean`, pandas' `groupby`/`head`/`to_numpy`...,
    scipy.stats distributions' `cdf`/`ppf`/`interval`...,
    `str`/`bytes`/`tuple` methods), a read-only function (`math`, `numpy`, `pandas` and `scipy` functions other
    than the known writers, `cross_val_score`, `clone`, `sklearn.metrics`), a builtin, or a function of this
    module that the analysis reads (PAR105 reports it when it mutates). An immutable value (a name bound once,
    and never changed, to a number, a string or a tuple of them, or an item of a collection of them:
    `for alpha in [0.1, 1.0]`, `np.logspace(-2, 2, 5)`, `range(n)`; names bound once to such values count as
    such values) passed to any call is not reported, nor an
    argument of a scikit-learn constructor (`GridSearchCV(estimator=model)`, `SVC(C=c)`), which stores it and
    whose fit changes none of its parameters, except `random_state` and a `**mapping` that is not a fixed value,
    and the steps given to `Pipeline`/`make_pipeline`, which are fitted in place. A scikit-learn function given
    `copy=False` (`normalize(X, copy=False)`) works in place on its input: reported whatever the catalogue says.

    ## Why is this bad?
    An unknown call may change its receiver or arguments (`model.partial_fit(X)`, `scaler.fit(X)`,
    `tracker.record(x)`). *Under processes* the change happens in a worker's copy and the caller never sees it:
    the decorated loop would return something other than the serial loop, with no error. *Under threads* the
    caller sees the change (the rule is not applied there).

    ## Example
    ```python
    @parallel_for
    def fit_scores(model, batches):
        scores = []
        for X, y in batches:
            scores.append(model.partial_fit(X, y).score(X, y))
        return scores
    ```

    ## Use instead
    ```python
    @parallel_for
    def fit_scores(model, batches):
        scores = []
        for X, y in batches:
            m = clone(model)                      # an object of the iteration's own
            scores.append(m.fit(X, y).score(X, y))
        return scores
    ```

    ## Known problems
    Errs towards refusing: a method not in the catalogue that only reads is reported; bind a fresh copy, or keep
    the loop serial (`loop=False`). Applied under process rules only (loop mode, `--audit`), not to threads.
    """
    return mode == "processes"


@rule(
    "PAR601",
    "drawing-on-shared-figure",
    kinds={"pyplot", "figure-draw"},
    summary="drawing with `matplotlib.pyplot` or on axes/figures bound outside the iteration",
    template="`{stmt}` draws on a figure inside {where}: {consequence}; {fix}",
    fix_loop="collect the data in the loop, draw after it (`curves.append((x, y))`, then "
    "`for x, y in curves: ax.plot(x, y)`)",
    fix_task="return the data from the task and draw in the parent",
    process_consequence="pyplot's current figure and the caller's axes live in the caller; a worker draws on "
    "its own copy, so the caller's figure stays (partly) empty",
    thread_consequence="matplotlib is not thread-safe and pyplot's current figure is shared by all threads",
)
def drawing_on_shared_figure(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports every `matplotlib.pyplot` drawing and state function in a parallel loop (`plt.plot`, `scatter`,
    `subplot`, `text`, `title`, `legend`, `figure`, `savefig`...), and drawing or setter methods
    (`plot`, `scatter`, `legend`, `set_title`, `set_*`...) on axes and figures bound outside the iteration,
    also when the loop target reaches them through any part of its iterable (`zip(axs.ravel(), names)`,
    `enumerate(axs.flat)`, `(ax1, ax2)`, `[("a", ax1), ("b", ax2)]`). Also scikit-learn's display classes
    (`RocCurveDisplay.from_predictions`, `ConfusionMatrixDisplay.from_estimator`, `DecisionBoundaryDisplay`,
    `disp.plot(...)`), pandas plotting (`df.plot(...)`, `df.plot.box()`, `df.hist()`), seaborn's plot functions,
    and any call given outer axes or an outer figure as `ax=`/`fig=` (`plot_tree(clf, ax=ax)`).

    ## Why is this bad?
    pyplot keeps the current figure in module-level state of the caller's process. A worker draws on its own
    copy: *under processes* the caller's figure ends up with some curves or none, with no error. *Under threads*
    matplotlib is not thread-safe, and curves land on whichever figure is current.

    ## Example
    ```python
    @parallel_for
    def curves(settings, X, y):
        for c in settings:
            plt.plot(*learning_curve(SVC(C=c), X, y)[:2])
    ```

    ## Use instead
    ```python
    @parallel_for
    def curves(settings, X, y):
        data = []
        for c in settings:
            data.append(learning_curve(SVC(C=c), X, y)[:2])
        return data

    for sizes, scores in curves(settings, X, y):
        plt.plot(sizes, scores.mean(axis=1))
    ```

    ## Known problems
    A figure created inside the iteration and saved there (`fig, ax = plt.subplots()` ... `fig.savefig(path)`)
    is also reported, because `plt.subplots` registers it in pyplot's state; use `matplotlib.figure.Figure()`.
    On an object of the iteration's own, `.plot`/`.hist`/`.boxplot` count as pandas plotting only in pandas'
    form (no positional argument, or a kind string first), so `ax.plot(x, y)` on such a figure is accepted.
    """
    return _not_async(effect, mode)


@rule(
    "PAR602",
    "legacy-global-rng",
    kinds={"global-rng"},
    summary="drawing from the process-global RNG (`np.random.*`, `random.*`, `random_state=None`) without `seed=`",
    template="`{stmt}` draws from the process-global random generator inside {where}: {consequence}; {fix}",
    fix_loop="pass `seed=...` to the decorator, so each iteration gets its own stream (equal on every backend and "
    "every `n_jobs`), or use `rng = parallelize.rng()`; " + WAY_OUT,
    fix_task="pass `seed=...` to the decorator, or draw from `parallelize.rng()`",
    process_consequence="every worker has its own global generator state, so the numbers differ from the serial "
    "loop's",
    thread_consequence="threads share one global generator, so the draws depend on timing",
)
def legacy_global_rng(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports calls of the legacy global random generators in a parallel loop: `np.random.normal`, `choice`,
    `randint`, `uniform`, `rand`, `seed`... (the `numpy.random` module functions), `random.random`, `choice`,
    `shuffle`... (the `random` module's hidden instance), and objects built with an explicit
    `random_state=None`, which draw from numpy's global generator. Also scikit-learn estimators whose fit draws
    (`RandomForestClassifier`, `KMeans`, `MLPClassifier`, `ShuffleSplit`..., and `SVC(probability=True)`,
    `LogisticRegression(solver="saga")`, `KFold(shuffle=True)`: the catalogue
    `parallelize/_analysis/estimators.py`) built with `random_state` left at its default `None`: in the body,
    as the loop's items (`for name, model in models.items()` over `models = {"rf": RandomForestClassifier()}`),
    or held by an outer name passed to a call (`cross_val_score(forest, X, y)` clones and fits it).
    `@parallel_for(seed=...)` accepts the loop.

    ## Why is this bad?
    The serial loop takes its numbers one after the other from one generator; workers take them from their own
    copies *under processes*: the results differ from the serial loop's and from one run to the next.
    *Under threads* the draws interleave in an order that depends on timing.

    ## Example
    ```python
    @parallel_for
    def simulate(n):
        out = []
        for i in range(n):
            out.append(np.random.normal(size=1000).mean())
        return out
    ```

    ## Use instead
    ```python
    @parallel_for(seed=0)
    def simulate(n):
        out = []
        for i in range(n):
            out.append(np.random.normal(size=1000).mean())   # seeded per iteration
        return out
    ```

    ## Known problems
    With `seed=` the result equals the `backend="serial"` run with the same seed, not the undecorated loop (whose
    numbers come from one unseeded stream). An unseeded estimator is recognised only where the code shows it:
    one built in another module, passed in as a parameter, or built through a `**mapping` whose contents are not
    known is not (a mapping not known to hold `random_state` counts as holding none when the class is seen).
    Classes that draw only on large inputs (`PCA`'s randomized solver, `HistGradientBoosting*` early stopping)
    are reported whatever the data size.
    """
    return _not_async(effect, mode)


@rule(
    "PAR603",
    "process-wide-state",
    kinds={"process-wide"},
    summary="changing process-wide state in a parallel loop: `os.chdir`, `os.environ`, `sys.path`, `warnings`, "
    "`logging.basicConfig`, seeding (`torch.manual_seed`)",
    template="`{stmt}` changes process-wide state inside {where}: {consequence}; {fix}",
    fix_loop="do it once before the loop (or in the decorator's `init=`), and pass values explicitly to the "
    "iteration",
    fix_task="do it once in the decorator's `init=`, or pass values explicitly",
    process_consequence="the change happens in a worker, where it leaks into later tasks and never reaches the "
    "caller",
    thread_consequence="every thread sees the change at a moment that depends on timing",
)
def process_wide_state(effect: Effect, mode: str) -> bool:  # under threads, PAR401 says it
    """## What it does
    Reports calls that change state of the whole process: `os.chdir`, `os.putenv`, `os.environ[...]` changes
    through methods, `sys.path` changes, `warnings.filterwarnings`/`simplefilter`, `logging.basicConfig`,
    `torch.manual_seed` and other seeding, `np.seterr`, `matplotlib.use`, `pandas.set_option`,
    `sklearn.set_config`.

    ## Why is this bad?
    In the serial loop the change holds for the iterations after it and for the caller afterwards; in workers
    it holds in some tasks and not others, and the caller never sees it (*under processes*). *Under threads*
    PAR401 reports the same calls.

    ## Example
    ```python
    for name in datasets:
        os.chdir(name)
        results.append(load())
    ```

    ## Use instead
    ```python
    for name in datasets:
        results.append(load(Path(name)))
    ```

    ## Known problems
    `os.environ[key] = value` and `sys.path[...] = ...` as stores are reported by PAR101/PAR4xx rules as
    before; only the catalogue's calls are known. Under threads PAR401 reports these calls instead. A
    `warnings` filter set inside `with warnings.catch_warnings():` is undone when the block ends, so on processes
    it is not reported; under threads `catch_warnings` itself changes the one shared filter list, so it still is.
    """
    return mode == "processes" and not effect.args.get("scoped")
