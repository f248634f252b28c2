"""PAR0xx: the file cannot be read, decoded or parsed, so nothing in it was checked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parallelize._analysis.rules.base import always, rule

if TYPE_CHECKING:
    from parallelize._analysis.facts import Effect


@rule(
    "PAR000",
    "syntax-error",
    kinds={"syntax-error"},
    summary="the file does not parse, so it was not checked",
    template="cannot parse {name}: {stmt}; {fix}",
    fix_loop="fix the syntax error (the rest of the run continues)",
)
def syntax_error(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a file that Python cannot parse. The other files of the run are still checked.

    ## Why is this bad?
    Nothing in the file was analysed, so loops in it that mutate shared state would silently pass.
    *Under processes* and *under threads* alike, the checker cannot promise anything about this file.

    ## Example
    ```python
    for x in xs
        total += x
    ```

    ## Use instead
    ```python
    for x in xs:
        total += x
    ```

    ## Known problems
    The checker parses with the running interpreter's grammar: code for a newer Python version is reported
    here. Exclude such files in `[tool.parallelize] exclude`.
    """
    return always(effect, mode)


@rule(
    "PAR001",
    "undecodable-file",
    kinds={"decode-error"},
    summary="the file is not text in its declared encoding (UTF-8 unless a PEP 263 line says otherwise)",
    template="cannot read {name}: {stmt}; {fix}",
    fix_loop="save it as UTF-8 or declare its encoding with a PEP 263 `# -*- coding: ... -*-` line",
)
def undecodable_file(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a file whose bytes are not valid in its encoding: UTF-8 by default, or the one its PEP 263 coding
    line declares. Binary files given by name land here too.

    ## Why is this bad?
    The file could not be checked. *Under processes* and *under threads* alike, a mutation in it would pass
    unnoticed.

    ## Example
    A Latin-1 file without a coding line: `name = "Jos\\xe9"`.

    ## Use instead
    ```python
    # -*- coding: latin-1 -*-
    name = "José"
    ```

    ## Known problems
    Folders are walked for `*.py` files only, so binaries inside a folder are never opened.
    """
    return always(effect, mode)


@rule(
    "PAR002",
    "too-deeply-nested",
    kinds={"too-complex"},
    summary="the file nests too deeply for the parser or the analysis",
    template="cannot analyse {name}: {stmt}; {fix}",
    fix_loop="split the deeply nested expression or statement into named parts",
)
def too_deeply_nested(effect: Effect, mode: str) -> bool:
    """## What it does
    Reports a file whose expressions or blocks nest so deeply (thousands of levels) that parsing or analysing
    it exhausts the recursion limit or memory. The run continues with the other files.

    ## Why is this bad?
    The file was not checked. *Under processes* and *under threads* alike, nothing about its loops is known.

    ## Example
    ```python
    x = ((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))  # ...thousands
    ```

    ## Use instead
    Generated code: generate flatter code, or exclude the file in `[tool.parallelize] exclude`.

    ## Known problems
    The limit depends on the interpreter's C stack and recursion limit, so the same file may pass on one
    machine and be reported on another.
    """
    return always(effect, mode)
