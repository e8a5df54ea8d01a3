"""go.mod and go.work files: the lexer and grammar of golang.org/x/mod/modfile, read-only.

Only what the package loader needs is kept: the module path, the `go` and `toolchain`
versions, `require`, `replace` (to a local directory or to another module version),
`exclude`, and go.work's `use`. Unknown directives are tolerated the way `go` tolerates
them in dependencies' go.mod files (ignored); a syntax error is one `GoModError` line
naming "file:line".
"""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

from cgotrap.errors import InputError
from cgotrap.gostd import QuoteSyntaxError, unquote
from cgotrap.inputs import read_regular

_MAX_FILE_BYTES = 16 << 20  # a go.mod is a few KiB; refuse to read a hostile 1 GiB one


class GoModError(InputError):
    """A go.mod or go.work that cannot be parsed: "path/go.mod:3: unexpected input"."""


class _Kind(enum.Enum):
    WORD = "word"
    STRING = "string"
    LPAREN = "("
    RPAREN = ")"
    NEWLINE = "newline"
    EOF = "eof"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Token:
    kind: _Kind
    text: str
    line: int


_PUNCT = frozenset("\n()[]{},")


def _unquote(raw: str, where: str) -> str:
    """A quoted string of the file, as modfile reads it (strconv.Unquote)."""
    try:
        return unquote(raw)
    except QuoteSyntaxError:
        raise GoModError(f"{where}: invalid quoted string {raw}") from None


def _lex(text: str, name: str) -> list[_Token]:
    tokens: list[_Token] = []
    line = 1
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r":
            i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            raise GoModError(f"{name}:{line}: mod files must use // comments (not /* */ comments)")
        if ch == "\n":
            tokens.append(_Token(kind=_Kind.NEWLINE, text="\n", line=line))
            line += 1
            i += 1
            continue
        if ch in "()":
            kind = _Kind.LPAREN if ch == "(" else _Kind.RPAREN
            tokens.append(_Token(kind=kind, text=ch, line=line))
            i += 1
            continue
        if ch in "[],":
            # modfile's own tokens; only `retract [v1, v2]` (a version interval) uses them.
            tokens.append(_Token(kind=_Kind.WORD, text=ch, line=line))
            i += 1
            continue
        if ch in _PUNCT:
            raise GoModError(f"{name}:{line}: unexpected input character {ch!r}")
        if ch in '"`':
            j = i + 1
            while True:
                if j >= n:
                    raise GoModError(f"{name}:{line}: unexpected EOF in string")
                if text[j] == "\n":
                    raise GoModError(f"{name}:{line}: unexpected newline in string")
                if text[j] == ch:
                    break
                j += 2 if text[j] == "\\" and ch == '"' else 1
            raw = text[i : j + 1]
            tokens.append(
                _Token(kind=_Kind.STRING, text=_unquote(raw, f"{name}:{line}"), line=line)
            )
            i = j + 1
            continue
        j = i
        while j < n and text[j] not in ' \t\r"`' and text[j] not in _PUNCT:
            if text.startswith("//", j):
                break
            j += 1
        tokens.append(_Token(kind=_Kind.WORD, text=text[i:j], line=line))
        i = j
    tokens.append(_Token(kind=_Kind.EOF, text="", line=line))
    return tokens


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Line:
    verb: str
    args: tuple[str, ...]
    line: int


def _statements(text: str, name: str) -> list[_Line]:
    """Group tokens into (verb, args) lines, expanding `verb ( ... )` blocks."""
    tokens = _lex(text, name)
    out: list[_Line] = []
    i = 0
    while tokens[i].kind is not _Kind.EOF:
        tok = tokens[i]
        if tok.kind is _Kind.NEWLINE:
            i += 1
            continue
        if tok.kind is not _Kind.WORD:
            raise GoModError(f"{name}:{tok.line}: syntax error (unexpected {tok.text!r})")
        words: list[_Token] = []
        while tokens[i].kind not in (_Kind.NEWLINE, _Kind.EOF):
            words.append(tokens[i])
            i += 1
        if len(words) == 2 and words[1].kind is _Kind.LPAREN:
            verb = words[0].text
            i += 1
            while True:
                tok = tokens[i]
                if tok.kind is _Kind.EOF:
                    raise GoModError(f"{name}:{words[0].line}: unexpected EOF in block")
                if tok.kind is _Kind.NEWLINE:
                    i += 1
                    continue
                if tok.kind is _Kind.RPAREN:
                    i += 1
                    break
                args: list[_Token] = []
                while tokens[i].kind not in (_Kind.NEWLINE, _Kind.EOF, _Kind.RPAREN):
                    args.append(tokens[i])
                    i += 1
                for arg in args:
                    if arg.kind not in (_Kind.WORD, _Kind.STRING):
                        raise GoModError(
                            f"{name}:{arg.line}: syntax error (unexpected {arg.text!r})"
                        )
                out.append(_Line(verb=verb, args=tuple(a.text for a in args), line=args[0].line))
            continue
        for arg in words[1:]:
            if arg.kind not in (_Kind.WORD, _Kind.STRING):
                raise GoModError(f"{name}:{arg.line}: syntax error (unexpected {arg.text!r})")
        out.append(_Line(verb=words[0].text, args=tuple(w.text for w in words[1:]), line=tok.line))
    return out


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Require:
    """One `require path version` line."""

    path: str
    """Module path."""
    version: str
    """Version ("v1.2.3", a pseudo-version)."""


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


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GoWork:
    """A parsed go.work."""

    file: Path
    """The go.work path."""
    go: str
    """The `go` version."""
    toolchain: str
    """The `toolchain` name."""
    uses: tuple[str, ...]
    """`use` directories as written (relative to the go.work directory)."""
    replaces: tuple[Replace, ...]
    """`replace` lines."""


def _is_local_path(text: str) -> bool:
    # modfile.IsDirectoryPath: "./x", "../x", "/x", "." and ".."
    return text in (".", "..") or text.startswith(("./", "../", "/", ".\\", "..\\"))


def _parse_replace(args: tuple[str, ...], where: str) -> Replace:
    if "=>" not in args:
        raise GoModError(f"{where}: usage: replace module/path [v1.2.3] => other/module v1.4")
    arrow = args.index("=>")
    left, right = args[:arrow], args[arrow + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        raise GoModError(f"{where}: usage: replace module/path [v1.2.3] => other/module v1.4")
    if len(right) == 1 and not _is_local_path(right[0]):
        raise GoModError(
            f"{where}: replacement module without version must be directory path (rooted or "
            "starting with . or ..)"
        )
    return Replace(
        old_path=left[0],
        old_version=left[1] if len(left) == 2 else "",
        new_path=right[0],
        new_version=right[1] if len(right) == 2 else "",
    )


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


def _one_arg(args: tuple[str, ...], error: str) -> str:
    """The single argument of a directive, or `GoModError(error)` (go's own wording)."""
    if len(args) != 1:
        raise GoModError(error)
    return args[0]


def parse_gomod_text(text: str, file: Path) -> GoMod:
    """Parse go.mod text (raises `GoModError` with "file:line: problem")."""
    module = go = toolchain = ""
    requires: list[Require] = []
    replaces: list[Replace] = []
    excludes: list[Require] = []
    tools: list[str] = []
    for st in _statements(text, str(file)):
        where = f"{file}:{st.line}"
        match st.verb:
            case "module":
                module = _one_arg(st.args, f"{where}: usage: module module/path")
            case "go":
                go = _one_arg(st.args, f"{where}: go directive expects exactly one argument")
            case "toolchain":
                toolchain = _one_arg(
                    st.args, f"{where}: toolchain directive expects exactly one argument"
                )
            case "require" | "exclude":
                if len(st.args) != 2:
                    raise GoModError(f"{where}: usage: {st.verb} module/path v1.2.3")
                item = Require(path=st.args[0], version=st.args[1])
                (requires if st.verb == "require" else excludes).append(item)
            case "replace":
                replaces.append(_parse_replace(st.args, where))
            case "tool":
                tools.append(_one_arg(st.args, f"{where}: usage: tool package/path"))
            case "retract" | "godebug" | "ignore":
                pass
            case _:
                raise GoModError(f"{where}: unknown directive: {st.verb}")
    return GoMod(
        file=file,
        module=module,
        go=go,
        toolchain=toolchain,
        requires=tuple(requires),
        replaces=tuple(replaces),
        excludes=tuple(excludes),
        tools=tuple(tools),
    )


def parse_gomod(path: Path) -> GoMod:
    """Read and parse a go.mod file."""
    return parse_gomod_text(_read(path), path)


def parse_gowork_text(text: str, file: Path) -> GoWork:
    """Parse go.work text (raises `GoModError`)."""
    go = toolchain = ""
    uses: list[str] = []
    replaces: list[Replace] = []
    for st in _statements(text, str(file)):
        where = f"{file}:{st.line}"
        match st.verb:
            case "go":
                go = _one_arg(st.args, f"{where}: go directive expects exactly one argument")
            case "toolchain":
                toolchain = _one_arg(
                    st.args, f"{where}: toolchain directive expects exactly one argument"
                )
            case "use":
                uses.append(_one_arg(st.args, f"{where}: usage: use local/dir"))
            case "replace":
                replaces.append(_parse_replace(st.args, where))
            case "godebug":
                pass
            case _:
                raise GoModError(f"{where}: unknown directive: {st.verb}")
    return GoWork(file=file, go=go, toolchain=toolchain, uses=tuple(uses), replaces=tuple(replaces))


def parse_gowork(path: Path) -> GoWork:
    """Read and parse a go.work file."""
    return parse_gowork_text(_read(path), path)
