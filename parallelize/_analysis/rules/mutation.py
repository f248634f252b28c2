"""PAR1xx: a task writes to an object that lives outside it (the caller's list, ``self``, a global, a file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import copies_or_races, rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect

RETURN_IT = "return the value from the task and collect `.map`'s results in the parent"


@rule(
    "PAR101",
    "outer-subscript-assignment",
    kinds={"subscript-store"},
    summary="item or slice assignment (or `del`) into an object bound outside the task",
    template="`{stmt}` writes into {bound} inside {where}: {consequence}; {fix}",
    fix_loop="write with a plain `out[key] = value` on a name bound before the loop (a collector), "
    "or compute the value and store it after the loop",
    fix_task=RETURN_IT,
)
def outer_subscript_assignment(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `obj[k] = v`, `obj[i:j] = v`, `obj[k] += v`, `obj[k][j] = v`, `obj.loc[...] = v` and `del obj[k]`
    where `obj` was bound outside the iteration or task (before the loop, a parameter, a global, an alias of
    one, or an element of an outer collection).

    ## Why is this bad?
    *Under processes* each worker receives a pickled copy: it fills its copy and the caller's object stays
    unchanged (`[0, 0, 0, 0]`). *Under threads* the writes race with each other and with readers.

    ## Example
    ```python
    @parallel_for
    def score_all(models, X, y):
        scores = {}
        for name, model in models.items():
            scores[name]["mean"] = cross_val_score(model, X, y).mean()
        return scores
    ```

    ## Use instead
    ```python
    @parallel_for
    def score_all(models, X, y):
        scores = {}
        for name, model in models.items():
            scores[name] = {"mean": cross_val_score(model, X, y).mean()}   # a collector
        return scores
    ```

    ## Known problems
    Errs towards reporting: a slice of a list (`part = rows[:]`) is treated as a view of it, because for numpy
    arrays it is one. Objects that are themselves shared memory (`multiprocessing.Array`, manager proxies)
    are recognised only when bound by a visible constructor call.
    """
    return copies_or_races(effect, mode)


@rule(
    "PAR102",
    "outer-mutating-call",
    kinds={"mutating-call", "inplace-operator", "shared-refit"},
    summary="mutating method or in-place operator on an object bound outside the task",
    template="`{stmt}` mutates {bound} inside {where}: {consequence}; {fix}",
    fix_loop="collect with `acc.append/extend/add/update(...)` on a list, set or dict bound before the loop "
    "in this function, or do this after the loop",
    fix_task=RETURN_IT,
)
def outer_mutating_call(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports calls of mutating methods (`append extend insert pop remove clear sort reverse update setdefault
    add discard popitem`, deque, array and numpy ones such as `appendleft`, `rotate`, `fromlist`, `fill`,
    `put`, `resize`), `next(shared_iterator)`, and in-place operators (`buf += part`) on objects bound outside
    the iteration or task, directly or through an alias (`r = results; r.append(x)`). Such a method taken as a
    value counts as a call, since whoever calls it mutates the object: `add = out.append` (before the loop,
    then `add(x)` in it), `map(out.append, xs)`, `callback=bar.update`. In a parallel loop, `acc.append(e)`,
    `acc.extend(e)`, `acc.add(e)` and `acc.update(e)` on a name bound before the loop are collectors and are
    allowed.

    ## Why is this bad?
    *Under processes* the worker appends to its own copy; the caller's list stays empty. *Under threads*
    list appends happen not to corrupt memory, but order is lost and read-modify-write sequences race.

    ## Example
    ```python
    results = []

    def work(x):
        results.append(x * x)

    Parallel(n_jobs=4)(delayed(work)(x) for x in range(10))
    ```

    ## Use instead
    ```python
    def work(x):
        return x * x

    results = Parallel(n_jobs=4)(delayed(work)(x) for x in range(10))
    ```

    ## Known problems
    Methods the analysis does not know are not reported here: a call of one whose result is discarded
    (`model.fit(X)` as a statement) is PAR108; outer objects passed as arguments to unknown calls are assumed
    not to be mutated (`--strict`, PAR901, reports them). Custom classes with a mutating method named like a
    list method (`cache.update(...)`) are reported even when that method is synchronised. A method alias is
    followed one step (`add = out.append`), not through a second name (`push = add`).

    An outer estimator reset at the top of every iteration (`clf.set_params(C=c)`, then `clf.fit(X, y)`) and
    never used after the loop is accepted on processes, where each worker refits its own copy; under threads
    the iterations share it, so those calls are reported here as a race.
    """
    if effect.kind == "shared-refit":
        return mode == "threads" and not effect.locked
    return copies_or_races(effect, mode)


@rule(
    "PAR103",
    "outer-attribute-assignment",
    kinds={"attribute-store"},
    summary="attribute assignment, `setattr` or `del` on an object bound outside the task",
    template="`{stmt}` sets an attribute of {bound} inside {where}: {consequence}; {fix}",
    fix_loop="keep the value in a local name and collect it, then set the attribute once after the loop",
    fix_task="return the value from the task and set the attribute once in the parent",
)
def outer_attribute_assignment(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `obj.attr = v`, `obj.attr += v`, `del obj.attr`, `setattr(obj, "attr", v)` and
    `delattr(obj, "attr")` where `obj` is bound outside the iteration or task: `self` in a method handed to a
    pool, a class, a module-level object, a parameter.

    ## Why is this bad?
    *Under processes* `self.count += 1` increments the worker's copy of `self`; the caller's object keeps its
    old value. *Under threads* `self.count += 1` is a read-modify-write that loses updates.

    ## Example
    ```python
    class Trainer:
        def step(self, batch):
            self.seen += len(batch)

        def run(self, batches):
            with ProcessPoolExecutor() as pool:
                list(pool.map(self.step, batches))
    ```

    ## Use instead
    ```python
    class Trainer:
        def step(self, batch):
            return len(batch)

        def run(self, batches):
            with ProcessPoolExecutor() as pool:
                self.seen += sum(pool.map(self.step, batches))
    ```

    ## Known problems
    Attribute writes through properties or `__setattr__` overrides that are actually thread-safe are still
    reported. Writes to objects created inside the task are never reported.
    """
    return copies_or_races(effect, mode)


@rule(
    "PAR104",
    "outer-written-by-call",
    kinds={"out-argument"},
    summary="a call writes into an outer object: `out=`, `inplace=True`, `np.copyto`, `ufunc.at`, `shuffle`, "
    "`heapq.heappush`, `bisect.insort`, `operator.setitem`",
    template="`{stmt}` writes into {bound} inside {where}: {consequence}; {fix}",
    fix_loop="let the call return a new object (drop `out=`/`inplace=True`) and collect it, or collect the "
    "inputs and make the in-place call after the loop (e.g. `heapq.heapify` once)",
    fix_task="let the call return a new object (drop `out=`/`inplace=True`) and return it from the task",
)
def outer_written_by_call(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports calls known to write into an argument that is bound outside the iteration or task: any `out=`
    keyword (numpy ufuncs), pandas `inplace=True`, `np.copyto(dst, ...)`, `np.put`, `np.place`,
    `np.putmask`, `np.fill_diagonal`, `np.add.at(dst, ...)` and other `ufunc.at`, `random.shuffle(x)` /
    `rng.shuffle(x)`, and the standard library's in-place functions: `heapq.heappush`, `heappop`, `heapify`,
    `heapreplace`, `heappushpop`; `bisect.insort`, `insort_left`, `insort_right`; `operator.setitem`,
    `delitem` and the in-place operators `iadd`, `isub`, `imul`, `ior`... (dunder spellings too);
    `struct.pack_into` (its buffer), `ctypes.memmove`/`memset`; and `f.readinto(buf)`, `sock.recv_into(buf)`.
    Imported names are followed (`import heapq as hq`, `from bisect import insort`).

    ## Why is this bad?
    *Under processes* the array is pickled to the worker, written there, and the parent's array is unchanged
    (unless it is explicitly shared memory). *Under threads* the writes race.

    ## Example
    ```python
    @parallel_for
    def normalise(blocks, out):
        for i, block in enumerate(blocks):
            np.divide(block, block.sum(), out=out[i])
    ```

    ## Use instead
    ```python
    @parallel_for
    def normalise(blocks, out):
        for i, block in enumerate(blocks):
            out[i] = block / block.sum()      # a collector, applied in the parent
    ```

    ## Known problems
    Only the functions listed above are known; other C-extension functions that write into their arguments
    pass unnoticed unless `--strict` is on. `operator.iadd(n, 1)` on an immutable number changes nothing and is
    still reported.
    """
    return copies_or_races(effect, mode)


@rule(
    "PAR105",
    "mutating-helper-call",
    kinds={"call-mutates"},
    summary="a call of a function or method of this module that mutates an outer object",
    template="`{stmt}` lets `{helper}` mutate {bound} (written at line {at}) inside {where}: "
    "{consequence}; {fix}",
    fix_loop="make the helper return the value and collect it in the loop",
    fix_task="make the helper return the value, and return it from the task",
)
def mutating_helper_call(effect: Effect, mode: str) -> bool:
    """## What it does
    Follows calls one level deep into functions and methods defined in the same module (nested functions
    included) and reports a call whose callee mutates an object the caller passes in, `self`, a global, or a
    variable of an enclosing function. The finding sits on the call; the message names the line of the write.

    ## Why is this bad?
    The mutation is as lost (*under processes*) or as racy (*under threads*) as if it were written inline.

    ## Example
    ```python
    def tally(counts, word):
        counts[word] = counts.get(word, 0) + 1

    @parallel_for(loop=False)
    def count(words, counts):
        for w in words:
            tally(counts, w)
    ```

    ## Use instead
    ```python
    @parallel_for(loop=False)
    def count(words):
        return Counter(words)

    total = sum(count.map(chunks), Counter())
    ```

    ## Known problems
    One level only: a helper that mutates through another helper, or a function imported from another module,
    is not followed (it is assumed not to mutate; `--strict` reports outer objects passed to it).
    """
    return copies_or_races(effect, mode)


@rule(
    "PAR106",
    "shared-file-write",
    kinds={"file-write"},
    summary="writing to a file handle opened outside the task, or to the same path from every task",
    template="`{stmt}` writes to {bound} inside {where}: {consequence}; {fix}",
    fix_loop="return the text and write it after the loop, or write one file per item (a path built from it)",
    process_consequence="writes from different workers interleave, overwrite each other or stay in a copied "
    "buffer, in no fixed order",
    thread_consequence="threads' writes interleave in no fixed order",
)
def shared_file_write(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports `f.write(...)`, `f.writelines(...)`, `writer.writerow(...)`, `print(..., file=f)` and
    `json.dump(obj, f)` on a handle opened outside the iteration or task, and `open(path, "w"/"a")` inside it
    when the path does not depend on the item (a constant or an outer name).

    ## Why is this bad?
    *Under processes* an open file handle is either unpicklable or duplicated: buffered writes interleave or
    are lost, and tasks opening the same path with `"w"` overwrite each other. *Under threads* writes
    interleave in arbitrary order.

    ## Example
    ```python
    with open("log.txt", "w") as log:
        for path in paths:
            log.write(summarise(path))
    ```

    ## Use instead
    ```python
    @parallel_for
    def summarise_all(paths):
        lines = []
        for path in paths:
            lines.append(summarise(path))
        return lines

    Path("log.txt").write_text("".join(summarise_all(paths)))
    ```

    ## Known problems
    Logging through the `logging` module and `print` to standard output are not reported. A path computed
    from the item by a helper call is treated as depending on the item. `write = log.write` before the loop
    and `write(line)` in it, or `map(log.write, lines)`, are reported like `log.write(line)`.
    """
    return copies_or_races(effect, mode)


@rule(
    "PAR107",
    "dynamic-code",
    kinds={"dynamic"},
    summary="code the analysis cannot follow: `exec`/`eval`, `setattr` with a computed name, `globals()` writes",
    template="`{stmt}` inside {where} cannot be checked ({what}); {fix}",
    fix_loop="replace it with explicit code, or move it out of the loop",
    fix_task="replace it with explicit code, or move it out of the task",
)
def dynamic_code(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports what a static analysis cannot follow inside a parallel loop or task: `exec(...)`, `eval(...)`,
    `setattr`/`delattr` with a computed attribute name on an object that may be shared, and writes through
    `globals()`, `vars()` or `locals()`.

    ## Why is this bad?
    These can mutate anything. A "safe" verdict on them would be a guess, and a wrong guess silently changes
    results *under processes* (lost writes) or *under threads* (races). The checker never guesses safe.

    ## Example
    ```python
    for name, value in params.items():
        setattr(config, name, value)
    ```

    ## Use instead
    ```python
    config = replace(config, **params)   # once, outside the loop
    ```

    ## Known problems
    Reported even when the dynamic code is harmless (`eval` of a constant expression); suppress those with
    `# noqa: PAR107`.
    """
    return True


@rule(
    "PAR108",
    "side-effect-call-on-outer-object",
    kinds={"method-call-statement", "helper-method-call"},
    summary="a method called for its side effect (result discarded) on an object bound outside the task, "
    "e.g. `model.fit(X, y)`",
    template="`{stmt}` {how} inside {where}, so it likely changes {bound}: {consequence}; {fix}",
    fix_loop="collect what the call returns instead, e.g. `fitted.append(m.fit(X, y))` (scikit-learn's `fit` "
    "returns the estimator; a helper must return the object); if the call changes nothing the caller needs, "
    "write `_ = obj.method(...)` where the call is made",
    fix_task="return what the call returns (scikit-learn's `fit` returns the estimator; a helper must return the "
    "object) and use the returned objects in the parent; if the call changes nothing the caller needs, write "
    "`_ = obj.method(...)` where the call is made",
)
def side_effect_call_on_outer_object(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a method call used as a statement, its result discarded, whose receiver is bound outside the
    iteration or task: the loop's item (`m` in `for m in models`, an element or attribute of it), a name
    bound before the loop, a parameter, `self`, a global. A call made only for its side effect is most likely
    made to change the object: `m.fit(X, y)`, `model.to(device)`, `ax.plot(x)`, `optimizer.step()`. A call
    of a function of the same module that makes such a call on an object the caller passes is reported too.

    Not reported: methods named for an effect outside the object (`to_*` such as `to_csv`, `tofile`,
    `save*` such as `savefig`, `write_text`, `write_bytes`, `print*`, `pprint`, `display`, `show`, the
    logging methods `log debug info warning warn error exception critical fatal`, `assert*`, `close`,
    `flush`, `send`, `sendall`, `upload*`, `download*`, `mkdir`, `makedirs`, `touch`, `unlink`, `rmdir`);
    known mutators and file writes, which PAR102, PAR104 and PAR106 report; methods of this module's classes
    called on `self`, which the analysis reads (PAR105); calls whose result is used (`fitted.append(m.fit(X,
    y))`, `_ = m.fit(X, y)`).

    ## Why is this bad?
    *Under processes* each worker receives a pickled copy of the object: `m.fit(X, y)` fits the copy, and the
    caller's models stay unfitted, with no error. *Under threads* the object is shared, so the call is seen;
    the rule is not applied there (calling methods of shared clients and sessions is what I/O code does), and
    races on a shared object are reported only for known mutators (PAR102).

    ## Example
    ```python
    @parallel_for
    def fit_all(models, X, y):
        for m in models:
            m.fit(X, y)
        return models
    ```

    ## Use instead
    ```python
    @parallel_for
    def fit_all(models, X, y):
        fitted = []
        for m in models:
            fitted.append(m.fit(X, y))     # scikit-learn's fit returns the fitted estimator
        return fitted
    ```

    ## Known problems
    A heuristic: it errs towards reporting. A method that changes nothing (`obj.validate()`, which only
    raises) is reported; bind its result (`_ = obj.validate()`), which tells the checker and `@parallel_for`
    alike that the call is not made for a change, or add `# noqa: PAR108` (which silences the checker only).
    A mutating call whose result is used (`y = m.fit_transform(X)`) is not reported, and methods are judged by
    name only: a `save` that also changes the object passes. Applied under process rules only (loop mode of
    `@parallel_for`, process pools, `--audit`), never under threads or `async def`.
    """
    return mode == "processes"
