"""Reading `//cgotrap:ignore` comments from a Go file.

    //cgotrap:ignore CGO004 only built for linux, see #123      (alone: covers the next line)
    x := C.sysinfo(&info) //cgotrap:ignore CGO004 reason       (trailing: covers its line)

A directive in the file header (before the package clause) covers the whole file. Several
rules take a comma (`CGO005,CGO006`); the reason is the rest of the comment, required. A
directive alone on its line covers the next line that is not blank and not itself a
directive, so directives stack, and one above a `// #include <...>` line of a cgo preamble
covers that include.

The file is tokenized by `cgotrap.read.goscan` (a port of go/scanner), so a
"//cgotrap:ignore" inside a string literal or a block comment is not a directive. Only the
syntax is checked here; whether the rule IDs exist is `cgotrap.config.suppress`'s business.
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

from cgotrap.read import goscan
from cgotrap.read.fdreader import read_noted

DIRECTIVE = b"//cgotrap:ignore"

MAX_FILE_BYTES = 16 << 20
"""Files above this are not read for directives (Go's own limit for a source file is 2 GiB,
but a 16 MiB Go file is generated code nobody annotates by hand)."""


class Scope(enum.StrEnum):
    """What a directive covers."""

    LINE = "line"
    FILE = "file"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InlineSuppression:
    """One well-formed `//cgotrap:ignore RULES reason` comment."""

    path: str
    """The file, as the caller named it (module-root-relative in a scan)."""
    line: int
    """1-based line of the comment itself."""
    scope: Scope
    """The whole file (header directive) or one line."""
    covers: int
    """The line it covers (1-based); 0 for a file-scope directive."""
    rules: tuple[str, ...]
    """Rule IDs as written ("CGO004",)."""
    reason: str
    """The rest of the comment, stripped."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MalformedSuppression:
    """A `//cgotrap:ignore` comment that suppresses nothing (and is a CGO099 finding)."""

    path: str
    """The file."""
    line: int
    """1-based line of the comment."""
    text: str
    """The comment as written (control characters and all: escape it when showing it)."""
    problem: str
    """What is wrong: "no reason", "no rule ID", "'CG004' is not a rule ID"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FileSuppressions:
    """Every directive of one file."""

    path: str
    """The file."""
    suppressions: tuple[InlineSuppression, ...] = ()
    """Well-formed directives, in file order."""
    malformed: tuple[MalformedSuppression, ...] = ()
    """Directives that suppress nothing, in file order."""
    error: str = ""
    """Why the file could not be read ("" when it was)."""


def _is_rule_id(word: str) -> bool:
    # "CGO004": the registry's ID shape (three letters, three digits)
    return len(word) == 6 and word[:3] == "CGO" and word[3:].isdigit()


def _parse_directive(text: str) -> tuple[tuple[str, ...], str, str]:
    """(rules, reason, problem) of a comment's text after the directive word."""
    words = text.split(None, 1)
    if not words:
        return (), "", "no rule ID"
    rules = tuple(r for r in words[0].split(",") if r)
    bad = [r for r in rules if not _is_rule_id(r)]
    if not rules or bad:
        shown = bad[0] if bad else words[0]
        return (), "", f"{shown!r} is not a rule ID such as CGO004"
    reason = words[1].strip() if len(words) > 1 else ""
    if not reason:
        return rules, "", "no reason"
    return rules, reason, ""


def _directive_at(literal: bytes) -> bool:
    """True when a comment is a directive: "//cgotrap:ignore", then a blank or the end."""
    rest = literal[len(DIRECTIVE) :]
    return literal.startswith(DIRECTIVE) and (not rest or rest[:1] in b" \t")


def _in_preamble(literal: bytes, line: int) -> list[tuple[int, bool, bytes]]:
    """Directives written as C comments inside a cgo preamble comment.

    A Go-level `//cgotrap:ignore` line inside the preamble would be C text there and break
    the build (`go build` with zig cc: "type specifier missing"), so in a preamble the
    directive is a C comment: `// #include <x.h> //cgotrap:ignore CGO004 reason` (covers
    its line) or `// //cgotrap:ignore CGO004 reason` (covers the next line).
    """
    out: list[tuple[int, bool, bytes]] = []
    body = literal[2:-2] if literal.startswith(b"/*") else literal[2:]
    for i, text in enumerate(body.split(b"\n")):
        at = text.find(DIRECTIVE)
        rest = text[at:]
        if at < 0 or not _directive_at(rest):
            continue
        out.append((line + i, bool(text[:at].strip()), rest[len(DIRECTIVE) :]))
    return out


def parse(src: bytes, path: str) -> FileSuppressions:
    """Every `//cgotrap:ignore` directive of the Go source `src`."""
    if DIRECTIVE not in src:  # every directive, in Go or in a preamble, holds these bytes
        return FileSuppressions(path=path)
    return _parse(src, path)


def _parse(src: bytes, path: str) -> FileSuppressions:
    errors: list[goscan.ScanError] = []
    scanner = goscan.Scanner(src, errors, path)
    # (line, trailing, text after the directive word) of each directive
    found: list[tuple[int, bool, bytes]] = []
    occupied: set[int] = set()  # lines holding a token or a comment
    package_line = 0
    last_code_line = 0
    group: list[tuple[int, bytes]] = []  # the comment group being read: (line, literal)
    group_end = -1
    doc_group: list[tuple[int, bytes]] = []  # the group right above an `import`
    after_import = False
    # bounded: a token consumes a byte, an automatic semicolon follows one; EOF ends it
    for _ in range(2 * len(src) + 4):
        offset, kind, literal = scanner.scan()
        if kind == goscan.T_EOF:
            break
        line, _col = scanner.line_col(offset)
        if kind == goscan.COMMENT:
            end_line = line + literal.count(b"\n")
            occupied.update(range(line, end_line + 1))
            if group and line <= group_end + 1 and last_code_line < line:
                group.append((line, literal))
            else:
                group = [(line, literal)]
            group_end = end_line
            if _directive_at(literal):
                found.append((line, last_code_line == line, literal[len(DIRECTIVE) :]))
            continue
        if kind == goscan.SEMICOLON and literal == b"\n":
            continue  # an automatic semicolon is no code of its own
        if after_import and kind == goscan.STRING and literal == b'"C"':
            for comment_line, comment in doc_group:  # the cgo preamble
                found.extend(_in_preamble(comment, comment_line))
        after_import = kind == "import"
        doc_group = group if after_import and group and group_end == line - 1 else []
        group, group_end = [], -1
        if kind == "package" and not package_line:
            package_line = line
        occupied.add(line)
        last_code_line = line
    directive_lines = {line for line, trailing, _ in found if not trailing}
    good: list[InlineSuppression] = []
    bad: list[MalformedSuppression] = []
    for line, trailing, raw in sorted(found):
        rules, reason, problem = _parse_directive(raw.decode("utf-8", "replace"))
        if problem:
            written = (DIRECTIVE + raw).decode("utf-8", "replace")
            bad.append(MalformedSuppression(path=path, line=line, text=written, problem=problem))
            continue
        if package_line == 0 or line < package_line:
            scope, covers = Scope.FILE, 0
        elif trailing:
            scope, covers = Scope.LINE, line
        else:
            scope, covers = Scope.LINE, _next_line(line, occupied, directive_lines)
        good.append(
            InlineSuppression(
                path=path, line=line, scope=scope, covers=covers, rules=rules, reason=reason
            )
        )
    return FileSuppressions(path=path, suppressions=tuple(good), malformed=tuple(bad))


def _next_line(line: int, occupied: set[int], directives: set[int]) -> int:
    """The first line after `line` that holds something and is not a directive."""
    later = [n for n in occupied if n > line and n not in directives]
    return min(later) if later else line + 1


def read(root: Path, relpath: str) -> FileSuppressions:
    """`parse` the file `root/relpath` (bounded read; an unreadable file has `error` set)."""
    return read_with_bytes(root, relpath)[0]


def read_with_bytes(root: Path, relpath: str) -> tuple[FileSuppressions, bytes | None]:
    """`read`, and the file's bytes when it was read whole (None: `error` is set)."""
    full = root / relpath
    try:
        data = read_noted(full, MAX_FILE_BYTES + 1, regular=True)  # a FIFO: refused
    except OSError as exc:
        return FileSuppressions(path=relpath, error=exc.strerror or str(exc)), None
    if len(data) > MAX_FILE_BYTES:
        error = f"larger than {MAX_FILE_BYTES} bytes"
        return FileSuppressions(path=relpath, error=error), None
    return parse(data, relpath), data
