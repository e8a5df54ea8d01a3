"""Report modules over 900 lines and functions over 120 lines in src/cgotrap (issue 8).

    python scripts/check_sizes.py [--top N]

Exempt: ports of Go's own scanner/reader state machines, each headed by the Go function it
mirrors (EXEMPT below). Exits 1 when something else is over a limit.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120
EXEMPT = frozenset(
    {
        "read/goscan.py:Scanner.scan",  # go/scanner: (*Scanner).Scan
        "read/gofast.py:fast_go_header",  # go/build: readGoInfo's header part
    }
)
SRC = Path(__file__).resolve().parent.parent / "src" / "cgotrap"


def _functions(tree: ast.AST) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function, methods as Class.method."""
    out: list[tuple[str, int]] = []
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}."))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                end = child.end_lineno or child.lineno
                out.append((f"{prefix}{child.name}", end - child.lineno + 1))
                stack.append((child, f"{prefix}{child.name}."))
    return out


def main() -> int:
    """Print the largest modules and functions, and what is over a limit."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=5, help="how many of the largest to show")
    args = parser.parse_args()
    modules: list[tuple[int, str]] = []
    functions: list[tuple[int, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        modules.append((len(text.splitlines()), rel))
        functions += [(n, f"{rel}:{name}") for name, n in _functions(ast.parse(text))]
    over = [f"module {m} ({n} lines)" for n, m in modules if n > MAX_MODULE_LINES]
    over += [
        f"function {f} ({n} lines)"
        for n, f in functions
        if n > MAX_FUNCTION_LINES and f not in EXEMPT
    ]
    for title, rows in (("modules", modules), ("functions", functions)):
        print(f"largest {title}:")
        for n, name in sorted(rows, reverse=True)[: args.top]:
            print(f"  {n:5d}  {name}{'  (exempt)' if name in EXEMPT else ''}")
    for line in over:
        print(f"over the limit: {line}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
