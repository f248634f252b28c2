"""Obtain, decode and parse source text; turn every way that can fail into an input fact, never a traceback.

A function's source from ``inspect.getsource`` may be indented (a method, a nested def). Rather than dedenting,
which breaks multi-line strings, it is parsed under an ``if 1:`` header, so columns stay real and only the line
offset changes.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings

from parallelize._analysis.facts import Effect


class SourceProblem(Exception):
    """The source cannot be decoded or parsed; ``effect`` is the input fact to report."""

    def __init__(self, effect: Effect) -> None:
        super().__init__(effect.args.get("stmt", ""))
        self.effect = effect


def _problem(kind: str, line: int, col: int, name: str, detail: str) -> SourceProblem:
    line, col = max(line, 1), max(col, 0)
    node = ast.Pass(lineno=line, col_offset=col, end_lineno=line, end_col_offset=col)  # a point, never backwards
    return SourceProblem(Effect(kind, node, {"name": name, "stmt": detail, "bound": name}))


def decode(data: bytes, name: str) -> str:
    """Decode file bytes as Python does: BOM, then a PEP 263 coding line, else UTF-8.

    Raises:
        SourceProblem: With a ``decode-error`` fact when the bytes are not valid in that encoding.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        line = 1
        for number, raw in enumerate(data.split(b"\n")[:2] if isinstance(exc, LookupError) else data.split(b"\n"), 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                line = number
                break
        raise _problem("decode-error", line, 0, name, str(exc).splitlines()[0][:120]) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse(source: str, name: str) -> ast.Module:
    """Parse ``source``.

    Raises:
        SourceProblem: With a ``syntax-error`` or ``too-complex`` fact.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in the checked code are not our business
            return ast.parse(source, filename=name)
    except SyntaxError as exc:
        message = (exc.msg or "invalid syntax").splitlines()[0]
        if "too many" in message or "too complex" in message:
            raise _problem("too-complex", exc.lineno or 1, exc.offset or 0, name, message) from None
        raise _problem("syntax-error", exc.lineno or 1, (exc.offset or 1) - 1, name, message) from None
    except (RecursionError, MemoryError) as exc:
        raise _problem("too-complex", 1, 0, name, type(exc).__name__) from None
    except ValueError as exc:  # null bytes on older Pythons
        raise _problem("syntax-error", 1, 0, name, str(exc)) from None


def parse_function(source: str, name: str) -> tuple[ast.Module, ast.FunctionDef | ast.AsyncFunctionDef, int]:
    """Parse the source of one (possibly indented) ``def``; return the tree, the def and the extra lines added.

    Raises:
        SourceProblem: When it does not parse or holds no function definition.
    """
    indented = source[:1].isspace()
    tree = parse("if 1:\n" + source if indented else source, name)
    body = tree.body[0].body if indented and tree.body and isinstance(tree.body[0], ast.If) else tree.body
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return tree, stmt, 1 if indented else 0
    raise _problem("syntax-error", 1, 0, name, "no function definition in the source")
