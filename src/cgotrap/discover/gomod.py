"""go.mod and go.work files: golang.org/x/mod/modfile (read.go, rule.go, work.go), read-only.

Every directive of Go 1.27 is kept: `module` (with its "Deprecated:" comment), `go`,
`toolchain`, `godebug`, `require` (with "// indirect"), `exclude`, `replace`, `retract`
(single versions, `[low, high]` intervals, blocks, rationale comments), `tool`, `ignore`;
go.work's `go`, `toolchain`, `godebug`, `use`, `replace`. Main modules are parsed strictly
(modfile.Parse: unknown directives are errors), dependencies laxly (modfile.ParseLax: only
`module`, `go`, `require`, `retract` and `ignore` count). Versions are checked and
canonicalized as modfile does without a VersionFixer (`go mod edit` reads files that way).
Errors carry go's own text and position ("go.mod:19:2: require example.com/c: version
"x" invalid: must be of the form v1.2.3"); `GoModError` is one line, the first of go's list.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cgotrap.discover import semver
from cgotrap.discover.modsyntax import (
    Block,
    CommentBlock,
    GoModError,
    Line,
    Stmt,
    located,
    parse_syntax,
)
from cgotrap.gostd import (
    QuoteSyntaxError,
    quote,
    unquote,
)
from cgotrap.inputs import read_regular

_MAX_FILE_BYTES = 16 << 20  # a go.mod is a few KiB; refuse to read a hostile 1 GiB one


# ------------------------------------------------------------------------------------
# rule.go / work.go: the directives


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Require:
    """One `require path version` line (also an `exclude` line)."""

    path: str
    """Module path."""
    version: str
    """Version ("v1.2.3", a pseudo-version), canonical."""
    indirect: bool = False
    """The line carries a "// indirect" comment."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Replace:
    """One `replace old [v] => new [v]` line."""

    old_path: str
    """Module path being replaced."""
    old_version: str
    """"" replaces every version."""
    new_path: str
    """A module path, or a directory (starts with ./, ../ or /) when `new_version` is ""."""
    new_version: str
    """"" for a directory replacement."""

    @property
    def is_local(self) -> bool:
        """True when the replacement is a directory on disk."""
        return self.new_version == ""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Godebug:
    """One `godebug key=value` setting."""

    key: str
    """The setting ("panicnil")."""
    value: str
    """Its value ("1")."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Retract:
    """One retracted version or closed interval `[low, high]`."""

    low: str
    """Lowest retracted version."""
    high: str
    """Highest retracted version (== low for a single version)."""
    rationale: str
    """The comment text on the line (or on its block), "" when none."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Use:
    """One go.work `use` directory."""

    path: str
    """The directory as written ("./a")."""
    line: int
    """Its line in go.work (go names it when a directory is used twice)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GoMod:
    """A parsed go.mod."""

    file: Path
    """The go.mod path."""
    module: str
    """The `module` path ("" when missing: go reports an error for a main module)."""
    go: str
    """The `go` version ("" when absent)."""
    toolchain: str
    """The `toolchain` name ("" when absent)."""
    requires: tuple[Require, ...]
    """`require` lines in file order."""
    replaces: tuple[Replace, ...]
    """`replace` lines in file order."""
    excludes: tuple[Require, ...]
    """`exclude` lines in file order."""
    tools: tuple[str, ...] = ()
    """`tool` package paths (Go 1.24+), part of the "all" pattern."""
    deprecated: str = ""
    """The "Deprecated:" paragraph of the comments on `module` ("" when none)."""
    godebugs: tuple[Godebug, ...] = ()
    """`godebug` settings in file order."""
    retracts: tuple[Retract, ...] = ()
    """`retract` lines in file order."""
    ignores: tuple[str, ...] = ()
    """`ignore` directories (Go 1.25+), as written."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GoWork:
    """A parsed go.work."""

    file: Path
    """The go.work path."""
    go: str
    """The `go` version."""
    toolchain: str
    """The `toolchain` name."""
    uses: tuple[Use, ...]
    """`use` directories in file order."""
    replaces: tuple[Replace, ...]
    """`replace` lines."""
    godebugs: tuple[Godebug, ...] = ()
    """`godebug` settings."""


def _is_local_path(text: str) -> bool:
    """modfile.IsDirectoryPath ("./x", "../x", "/x", ".", "..", and Windows forms)."""
    return (
        text in (".", "..")
        or text.startswith(("./", ".\\", "../", "..\\", "/", "\\"))
        or (len(text) >= 2 and text[0].isascii() and text[0].isalpha() and text[1] == ":")
    )


class _StmtError(Exception):
    """A modfile.Error without its position: "require example.com/a: version ..."."""


def _parse_string(raw: str) -> str:
    """rule.go parseString: a "quoted" token is unquoted; other quotes are refused."""
    if raw.startswith('"'):
        try:
            return unquote(raw)
        except QuoteSyntaxError:
            raise _StmtError("invalid syntax") from None
    if any(q in raw for q in "\"'`"):
        raise _StmtError("unquoted string cannot contain quote")
    return raw


def _string_arg(raw: str) -> str:
    try:
        return _parse_string(raw)
    except _StmtError as exc:
        raise _StmtError(f"invalid quoted string: {exc}") from None


def _parse_version(verb: str, path: str, raw: str, *, canonical: bool = True) -> str:
    """rule.go parseVersion with no VersionFixer: the version must be canonicalizable."""
    prefix = f"{verb} {path}: " if path else f"{verb}: "
    try:
        text = _parse_string(raw)
    except _StmtError as exc:
        raise _StmtError(f"{prefix}version {quote(raw)} invalid: {exc}") from None
    if not canonical:
        return text
    cv = semver.canonical_version(text)
    if not cv:
        raise _StmtError(f"{prefix}version {quote(text)} invalid: must be of the form v1.2.3")
    return cv


def _path_major(path: str) -> str:
    _, major, ok = semver.split_path_version(path)
    if not ok:
        raise _StmtError("invalid module path")
    return major


def _check_major(verb: str, path: str, version: str, major: str) -> None:
    problem = semver.check_path_major(version, major)
    if problem:
        raise _StmtError(f"{verb} {path}: version {quote(version)} invalid: {problem}")


def _parse_replace(verb: str, args: list[str]) -> Replace:
    """rule.go parseReplace."""
    arrow = 1 if len(args) >= 2 and args[1] == "=>" else 2
    if len(args) < arrow + 2 or len(args) > arrow + 3 or args[arrow] != "=>":
        raise _StmtError(
            f"usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} "
            "module/path [v1.2.3] => ../local/directory"
        )
    old_path = _string_arg(args[0])
    try:
        major = _path_major(old_path)
    except _StmtError as exc:
        raise _StmtError(f"{verb} {old_path}: {exc}") from None
    old_version = ""
    if arrow == 2:
        old_version = _parse_version(verb, old_path, args[1])
        _check_major(verb, old_path, old_version, major)
    new_path = _string_arg(args[arrow + 1])
    new_version = ""
    if len(args) == arrow + 2:
        if not _is_local_path(new_path):
            if "@" in new_path:
                raise _StmtError(
                    "replacement module must match format 'path version', not 'path@version'"
                )
            raise _StmtError(
                "replacement module without version must be directory path (rooted or "
                "starting with . or ..)"
            )
        if "\\" in new_path:
            raise _StmtError(
                "replacement directory appears to be Windows path (on a non-windows system)"
            )
    else:
        new_version = _parse_version(verb, new_path, args[arrow + 2])
        if _is_local_path(new_path):
            raise _StmtError(
                f"replacement module directory path {quote(new_path)} cannot have version"
            )
    return Replace(
        old_path=old_path, old_version=old_version, new_path=new_path, new_version=new_version
    )


def _parse_retract(args: list[str]) -> tuple[str, str, list[str]]:
    """rule.go parseVersionInterval (with dontFixRetract): (low, high, rest of the tokens)."""
    if not args or args[0] == "(":
        raise _StmtError("expected '[' or version")
    if args[0] != "[":
        v = _parse_version("retract", "", args[0], canonical=False)
        return v, v, args[1:]
    toks = args[1:]
    if not toks:
        raise _StmtError("expected version after '['")
    low = _parse_version("retract", "", toks[0], canonical=False)
    toks = toks[1:]
    if not toks or toks[0] != ",":
        raise _StmtError("expected ',' after version")
    toks = toks[1:]
    if not toks:
        raise _StmtError("expected version after ','")
    high = _parse_version("retract", "", toks[0], canonical=False)
    toks = toks[1:]
    if not toks or toks[0] != "]":
        raise _StmtError("expected ']' after version")
    return low, high, toks[1:]


def _is_go_version(text: str) -> bool:
    """modfile.GoVersionRE: `1.23`, `1.23.0`, `1.23rc1`, `1.23.0rc1`."""
    parts = text.split(".")
    if len(parts) not in (2, 3):
        return False

    def number(part: str, *, zero_ok: bool) -> bool:
        if not part.isascii() or not part.isdigit():
            return False
        return (part == "0" and zero_ok) or part[0] != "0"

    last = parts[-1]
    i = 0
    while i < len(last) and last[i].isascii() and last[i].isdigit():
        i += 1
    number_part, tail = last[:i], last[i:]
    if tail:
        j = 0
        while j < len(tail) and "a" <= tail[j] <= "z":
            j += 1
        if j == 0 or j == len(tail) or not tail[j:].isascii() or not tail[j:].isdigit():
            return False
    if not number(parts[0], zero_ok=False):
        return False
    middle = [*parts[1:-1], number_part]
    return all(number(p, zero_ok=True) for p in middle)


def _lax_go_version(text: str) -> str | None:
    """modfile.laxGoVersionRE: "1.23-blah" in a dependency reads as "1.23"."""
    text = text.removeprefix("v")
    major, dot, rest = text.partition(".")
    if not dot or not major.isascii() or not major.isdigit() or major[0] == "0":
        return None
    i = 0
    while i < len(rest) and rest[i].isascii() and rest[i].isdigit():
        i += 1
    minor = rest[:i]
    if not minor or (minor[0] == "0" and minor != "0") or i == len(rest):
        return None
    return f"{major}.{minor}"


def _is_toolchain(text: str) -> bool:
    """modfile.ToolchainRE: `default`, or `go1` alone or followed by '.'."""
    return text in {"default", "go1"} or text.startswith("go1.")


def _directive_comment(block: Block | None, line: Line) -> str:
    """rule.go parseDirectiveComment: the line's comments, else its block's."""
    comments = line.comments
    if block is not None and not comments.before and not comments.suffix:
        comments = block.comments
    return "\n".join(
        c.removeprefix("//").strip() for c in (*comments.before, *comments.suffix) if c[:2] == "//"
    )


def _deprecation(text: str) -> str:
    """rule.go parseDeprecation: the first paragraph starting "Deprecated:", without it."""
    starts = [0] if text.startswith("Deprecated:") else []
    starts += [
        i + 2
        for i in range(len(text) - 1)
        if text[i : i + 2] == "\n\n" and text.startswith("Deprecated:", i + 2)
    ]
    if not starts:
        return ""
    body = text[starts[0] + len("Deprecated:") :].lstrip(" ")
    end = body.find("\n\n")
    return body if end < 0 else body[:end]


def _is_indirect(line: Line) -> bool:
    """rule.go isIndirect: the first suffix comment is "indirect" or starts "indirect;"."""
    if not line.comments.suffix:
        return False
    fields = line.comments.suffix[0].removeprefix("//").split()
    return (len(fields) == 1 and fields[0] == "indirect") or (
        len(fields) > 1 and fields[0] == "indirect;"
    )


_MOD_BLOCKS = frozenset({"module", "godebug", "require", "exclude", "replace", "retract"})
_MOD_BLOCKS |= {"tool", "ignore"}
_WORK_BLOCKS = frozenset({"godebug", "use", "replace"})
_LAX_VERBS = frozenset({"go", "module", "retract", "require", "ignore"})


def _statements(
    stmts: list[Stmt], blocks: frozenset[str], name: str, errors: list[str], *, strict: bool
) -> list[tuple[Block | None, Line, str, list[str]]]:
    """(block, line, verb, args) of every directive, and "unknown block type" errors."""
    out: list[tuple[Block | None, Line, str, list[str]]] = []
    for stmt in stmts:
        match stmt:
            case CommentBlock():
                pass
            case Line():
                out.append((None, stmt, stmt.tokens[0], stmt.tokens[1:]))
            case Block():
                if len(stmt.tokens) > 1 or stmt.tokens[0] not in blocks:
                    if strict:
                        errors.append(
                            located(
                                name, stmt.start, f"unknown block type: {' '.join(stmt.tokens)}"
                            )
                        )
                    continue
                out.extend((stmt, line, stmt.tokens[0], line.tokens) for line in stmt.lines)
    return out


@dataclasses.dataclass(kw_only=True, slots=True)
class _ModBuilder:
    """A go.mod as it is read, statement by statement (then frozen)."""

    module: str | None = None
    deprecated: str = ""
    go: str | None = None
    toolchain: str | None = None
    godebugs: list[Godebug] = dataclasses.field(default_factory=list)
    requires: list[Require] = dataclasses.field(default_factory=list)
    excludes: list[Require] = dataclasses.field(default_factory=list)
    replaces: list[Replace] = dataclasses.field(default_factory=list)
    retracts: list[Retract] = dataclasses.field(default_factory=list)
    tools: list[str] = dataclasses.field(default_factory=list)
    ignores: list[str] = dataclasses.field(default_factory=list)
    uses: list[Use] = dataclasses.field(default_factory=list)


def _add_version_line(b: _ModBuilder, verb: str, args: list[str], *, strict: bool) -> None:
    if verb == "go":
        if b.go is not None:
            raise _StmtError("repeated go statement")
        if len(args) != 1:
            raise _StmtError("go directive expects exactly one argument")
        version = args[0]
        if not _is_go_version(version):
            fixed = None if strict else _lax_go_version(version)
            if fixed is None:
                raise _StmtError(f"invalid go version '{version}': must match format 1.23.0")
            version = fixed
        b.go = version
        return
    if b.toolchain is not None:
        raise _StmtError("repeated toolchain statement")
    if len(args) != 1:
        raise _StmtError("toolchain directive expects exactly one argument")
    if not _is_toolchain(args[0]):
        raise _StmtError(
            f"invalid toolchain version '{args[0]}': must match format go1.23.0 or default"
        )
    b.toolchain = args[0]


def _add_godebug(b: _ModBuilder, args: list[str]) -> None:
    if len(args) != 1 or any(q in args[0] for q in "\"`',"):
        raise _StmtError("usage: godebug key=value")
    key, eq, value = args[0].partition("=")
    if not eq:
        raise _StmtError("usage: godebug key=value")
    b.godebugs.append(Godebug(key=key, value=value))


def _add_mod(
    b: _ModBuilder,
    block: Block | None,
    line: Line,
    verb: str,
    args: list[str],
    *,
    strict: bool,
) -> None:
    if not strict and verb not in _LAX_VERBS:
        return
    match verb:
        case "go" | "toolchain":
            _add_version_line(b, verb, args, strict=strict)
        case "module":
            if b.module is not None:
                raise _StmtError("repeated module statement")
            b.deprecated = _deprecation(_directive_comment(block, line))
            b.module = ""
            if len(args) != 1:
                raise _StmtError("usage: module module/path")
            b.module = _string_arg(args[0])
        case "godebug":
            _add_godebug(b, args)
        case "require" | "exclude":
            if len(args) != 2:
                raise _StmtError(f"usage: {verb} module/path v1.2.3")
            path = _string_arg(args[0])
            version = _parse_version(verb, path, args[1])
            _check_major(verb, path, version, _path_major(path))
            if verb == "require":
                b.requires.append(Require(path=path, version=version, indirect=_is_indirect(line)))
            else:
                b.excludes.append(Require(path=path, version=version))
        case "replace":
            b.replaces.append(_parse_replace(verb, args))
        case "retract":
            rationale = _directive_comment(block, line)
            try:
                low, high, rest = _parse_retract(args)
            except _StmtError:
                if strict:
                    raise
                return
            if rest and strict:
                raise _StmtError(f"unexpected token after version: {quote(rest[0])}")
            b.retracts.append(Retract(low=low, high=high, rationale=rationale))
        case "tool" | "ignore":
            if len(args) != 1:
                raise _StmtError(f"{verb} directive expects exactly one argument")
            (b.tools if verb == "tool" else b.ignores).append(_string_arg(args[0]))
        case _:
            raise _StmtError(f"unknown directive: {verb}")


def _read(path: Path) -> str:
    try:
        data = read_regular(path, _MAX_FILE_BYTES + 1)  # a FIFO would block: refused
    except OSError as exc:
        raise GoModError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > _MAX_FILE_BYTES:
        raise GoModError(f"{path}: file too large for a go.mod/go.work")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GoModError(f"{path}:1: invalid UTF-8 in file") from exc


def _raise_first(errors: list[str]) -> None:
    if errors:
        raise GoModError(errors[0], more=tuple(errors[1:]))


def parse_gomod_text(text: str, file: Path, *, strict: bool = True) -> GoMod:
    """Parse go.mod text: modfile.Parse, or modfile.ParseLax for a dependency's go.mod.

    Raises `GoModError` with go's "file:line: problem".
    """
    name = str(file)
    errors: list[str] = []
    b = _ModBuilder()
    stmts = parse_syntax(text, name)
    for block, line, verb, args in _statements(stmts, _MOD_BLOCKS, name, errors, strict=strict):
        try:
            _add_mod(b, block, line, verb, args, strict=strict)
        except _StmtError as exc:
            errors.append(located(name, line.start, str(exc)))
    _raise_first(errors)
    return GoMod(
        file=file,
        module=b.module or "",
        go=b.go or "",
        toolchain=b.toolchain or "",
        requires=tuple(b.requires),
        replaces=tuple(b.replaces),
        excludes=tuple(b.excludes),
        tools=tuple(b.tools),
        deprecated=b.deprecated,
        godebugs=tuple(b.godebugs),
        retracts=tuple(b.retracts),
        ignores=tuple(b.ignores),
    )


def parse_gomod(path: Path, *, strict: bool = True) -> GoMod:
    """Read and parse a go.mod file."""
    return parse_gomod_text(_read(path), path, strict=strict)


def _add_work(b: _ModBuilder, line: Line, verb: str, args: list[str]) -> None:
    match verb:
        case "go" | "toolchain":
            _add_version_line(b, verb, args, strict=True)
        case "godebug":
            _add_godebug(b, args)
        case "use":
            if len(args) != 1:
                raise _StmtError(f"usage: {verb} local/dir")
            b.uses.append(Use(path=_string_arg(args[0]), line=line.start.line))
        case "replace":
            b.replaces.append(_parse_replace(verb, args))
        case _:
            raise _StmtError(f"unknown directive: {verb}")


def parse_gowork_text(text: str, file: Path) -> GoWork:
    """Parse go.work text: modfile.ParseWork (raises `GoModError`)."""
    name = str(file)
    errors: list[str] = []
    b = _ModBuilder()
    stmts = parse_syntax(text, name)
    for _, line, verb, args in _statements(stmts, _WORK_BLOCKS, name, errors, strict=True):
        try:
            _add_work(b, line, verb, args)
        except _StmtError as exc:
            errors.append(located(name, line.start, str(exc)))
    _raise_first(errors)
    return GoWork(
        file=file,
        go=b.go or "",
        toolchain=b.toolchain or "",
        uses=tuple(b.uses),
        replaces=tuple(b.replaces),
        godebugs=tuple(b.godebugs),
    )


def parse_gowork(path: Path) -> GoWork:
    """Read and parse a go.work file."""
    return parse_gowork_text(_read(path), path)
