"""Go declarations, identifier uses and stub bodies, read by the Go toolchain's own go/parser.

Reading Go beyond the header (what a file declares, which names it uses, whether a function
only fails) goes through a maintained parser, never regular expressions. cgotrap ships a
small Go program, `godecl.go` beside this module (stdlib only), and builds it on demand
with the user's `go` into a cache folder the caller names (`$XDG_CACHE_HOME/cgotrap` for the
CLI): ~8 s once per Go version and helper version, then ~0.25 ms of one core per file.

Why go/parser and not tree-sitter's Go grammar from PyPI (measured on this machine, Go
1.27.3, tree-sitter 0.26.1 + tree-sitter-go 0.25.0, all declarations and identifiers
extracted): GOROOT/src (6827 files, 90 MB) 3.4 s CPU and 79 MB peak with go/parser against
13.9 s CPU and 137 MB with tree-sitter; moby (10449 files, 80 MB) 2.4 s / 25 MB against
10.3 s / 78 MB. go/parser is the parser `go build` itself uses (same syntax, same version),
and it resolves identifiers declared in the file, which gives "uses this file does not
declare" without writing a Go scope resolver. go is needed anyway for what scan answers;
tree-sitter would add 2.5 MB of per-platform binary wheels.

A file's record is a pure function of its bytes: `GoDeclReader` batches files through one
helper run and caches records content-keyed: in memory, and in the caller's `cache.Store`
when it passes one (the CLI does, unless `--no-cache`): one checked, atomically written,
size-bounded entry per project holding the records of the files its last run read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgotrap.errors import ToolchainMissingError
from cgotrap.read.godeclrun import HelperRun, PendingDecls

if TYPE_CHECKING:
    from cgotrap.cache import Store

MAX_FILE_BYTES = 4 << 20
"""Bytes of one Go file; a larger file is not parsed (its `GoDecls.error` says so)."""
_HELPER_SOURCE = Path(__file__).with_name("godecl.go")
_BATCH_BYTES = 16 << 20
"""Source bytes sent to one helper run."""
_TIMEOUT = 300.0


class DeclKind(enum.StrEnum):
    """What a top-level declaration declares."""

    FUNC = "func"
    """A function (package scope)."""
    METHOD = "method"
    """A method (not in package scope: it is reached through its receiver type)."""
    TYPE = "type"
    """A type."""
    VAR = "var"
    """A variable."""
    CONST = "const"
    """A constant."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Import:
    """One import of the file."""

    path: str
    """The import path ("example.com/m/orphanc")."""
    name: str
    """The explicit local name ("", ".", "_" or an identifier)."""
    line: int
    """Line of the import spec."""

    @property
    def local(self) -> str:
        """The name the file uses for it: the explicit one, else a guess from the path.

        The real default is the imported package's clause, known only from its files;
        `default_name` guesses it ("gopkg.in/yaml.v3" -> "yaml", ".../go-sqlite3" ->
        "sqlite3", ".../v2" -> the element before).
        """
        return self.name or default_name(self.path)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Decl:
    """One top-level declared name."""

    kind: DeclKind
    """What it declares."""
    name: str
    """The name ("fastHash")."""
    line: int
    """Line of the name."""
    receiver: str = ""
    """For a method: its receiver's base type ("SQLiteConn"); else ""."""
    closed: bool = False
    """For a type: its method set is only the methods declared on it (a struct without
    embedded fields, a basic, slice, map, func or chan type; not an interface, an alias or a
    type defined from another named type)."""
    fields: tuple[str, ...] = ()
    """For a struct type: its field names."""
    field_types: tuple[FieldType, ...] = ()
    """For a struct type: its fields whose type is a named type of the same package."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FieldType:
    """A struct field of type T or *T, T a type of the same package."""

    name: str
    """The field ("conn")."""
    type_name: str
    """Its type's name ("Conn")."""
    pointer: bool
    """*T."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Use:
    """A name the file uses but does not declare: another file's, the universe's, or a
    dot-import's. Each name once, at its first line."""

    name: str
    """The identifier ("fastHash")."""
    line: int
    """Its first line."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class QualifiedUse:
    """A use `pkg.Name` through one of the file's imports."""

    import_path: str
    """The import it goes through ("example.com/m/orphanc")."""
    local: str
    """The name the file gives the import ("orphanc")."""
    name: str
    """The selected name ("Twice")."""
    line: int
    """Its first line."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MethodUse:
    """A selector `x.M` whose operand's named type is known without type checking: `x` is
    a parameter, receiver or variable declared in the file with type T, *T, pkg.T or *pkg.T,
    or initialised with `T{...}`, `&T{...}` or `new(T)`. Each (x, M, type) once."""

    var: str
    """The operand ("c")."""
    name: str
    """The selected name ("FastAdd"): a method or a field."""
    type_name: str
    """The operand's named type ("Counter")."""
    import_path: str
    """The import the type comes through ("example.com/m/counter"), "" for the file's own
    package."""
    local: str
    """The name the file gives that import ("counter"), "" for the own package."""
    pointer: bool
    """The operand is a pointer (*T)."""
    line: int
    """The first line of the selector."""
    field: str = ""
    """For `x.f.M` (`var` "x.f"): the field f of `type_name`, x's type, whose own type
    (`Decl.field_types`, same package only) is the operand's; "" for `x.M`."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class InitCall:
    """A call in a `func init()` body of a function whose name says it registers something:
    `graphdriver.MustRegister("btrfs", Init)`, `sql.Register(name, &Driver{})`."""

    function: str
    """The function called ("MustRegister")."""
    import_path: str
    """The import it is called through, "" for an unqualified call (or a package variable's
    method: then `local` names the variable)."""
    local: str
    """The qualifier as written ("graphdriver"), "" for an unqualified call."""
    key: str
    """The first argument: a string literal's value ("btrfs"), else its source text."""
    literal: bool
    """`key` is a literal's value; else a name or expression (go-sqlite3's `driverName`)
    whose value is not known here."""
    text: str
    """The call's source text."""
    line: int
    """Its line."""

    @property
    def callee(self) -> tuple[str, str]:
        """The function called, comparable across files: (its package, its name)."""
        return (self.import_path or self.local, self.function)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ErrorValue:
    """A package-level `var name = errors.New("...")` (or fmt.Errorf, or any call whose
    argument is a string literal)."""

    name: str
    """The variable ("errorMsg")."""
    message: str
    """The literal message ("" when it comes from `error_type`'s Error method)."""
    line: int
    """Line of the initializer."""
    error_type: str = ""
    """For `var ErrX = errT{}`: the type ("errT") whose `Error() string` gives the message."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ErrorType:
    """A type whose `Error() string` method returns a literal message."""

    name: str
    """The type ("errQuotaNotSupported")."""
    message: str
    """The message."""
    line: int
    """Line of the Error method."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FailingBody:
    """A function whose body only returns zero values and one error, or panics.

    Whether it is a *stub* depends on its message, which for a reference (`return nil,
    errorMsg`) may live in another file of the package: see `stubs`.
    """

    function: str
    """The function or method name ("Open")."""
    receiver: str
    """The method's receiver base type ("SQLiteDriver"), "" for a function."""
    line: int
    """Line of the `func` keyword."""
    message: str
    """The literal message ("" when the body returns a reference)."""
    reference: str
    """The value returned or panicked with ("errorMsg"), "" for a literal."""
    reference_import: str
    """The local import name of a qualified reference ("errors" of errors.ErrUnsupported)."""
    message_line: int
    """Line of the message or reference."""
    panics: bool
    """True for `panic(...)`."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Stub:
    """A function that only fails, with a message saying cgo is needed / not implemented /
    a stub / unsupported."""

    function: str
    """The function or method name."""
    receiver: str
    """The receiver base type of a method, else ""."""
    line: int
    """Line of the `func` keyword."""
    message: str
    """The message it fails with."""
    message_line: int
    """Line of the message: the literal, or the declaration of the referenced value."""
    message_in_file: bool
    """False when the message is declared in another file of the package (`message_line`
    is then that file's line)."""

    @property
    def qualified_name(self) -> str:
        """ "(*SQLiteConn).RegisterFunc"-like display name: "SQLiteConn.RegisterFunc"."""
        return f"{self.receiver}.{self.function}" if self.receiver else self.function


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class GoDecls:
    """What one Go file declares and uses."""

    package: str
    """The package clause ("" if the file has none)."""
    error: str
    """The first parse error, or why the file was not parsed ("" if none). Declarations
    before an error are still listed (go/parser recovers)."""
    imports: tuple[Import, ...]
    """The imports."""
    decls: tuple[Decl, ...]
    """Top-level declarations, in order (methods included, `_` and `init` left out)."""
    uses: tuple[Use, ...]
    """Names used but not declared in this file, minus the import names of `qualified`.
    Conservative: it includes universe names (`len`, `error`) and names of dot-imports;
    a caller matches them against the package-level names of the package's other files."""
    qualified: tuple[QualifiedUse, ...]
    """`pkg.Name` uses through an import."""
    error_values: tuple[ErrorValue, ...]
    """Package-level error values with a literal message (or an error type's)."""
    error_types: tuple[ErrorType, ...] = ()
    """Types whose Error() method returns a literal message."""
    failing: tuple[FailingBody, ...]
    """Functions whose body only fails (stub candidates)."""
    method_uses: tuple[MethodUse, ...] = ()
    """Selectors on operands of a known named type."""
    init_calls: tuple[InitCall, ...] = ()
    """Registering calls of the file's `init` functions."""
    truncated: bool = False
    """A list was cut at the helper's bound."""
    build: str = ""
    """The file's `//go:build` line (else its first `// +build` line), "" if none."""
    build_line: int = 0
    """Its line, 0 if none."""

    def import_line(self, path: str) -> int:
        """The line of the import of `path` ("C"), 0 if the file does not import it."""
        return next((i.line for i in self.imports if i.path == path), 0)

    def package_names(self) -> frozenset[str]:
        """Names this file adds to package scope (methods excluded)."""
        return frozenset(d.name for d in self.decls if d.kind is not DeclKind.METHOD)


# ---------------------------------------------------------------------------------------------
# Stubs

# Words of a message that say "this build has no real implementation". The text is a Go
# string value, not Go source: matching words in it is not parsing Go.
_STUB_WORDS = re.compile(
    r"\bcgo\b|CGO_ENABLED|not implemented|unimplemented|\bstub\b|unsupported|not supported"
    r"|not available|requires? c\b|does not support|doesn't support|without support",
    re.IGNORECASE,
)

# Standard library error values a stub returns by name, with their messages (Go 1.27).
_STD_VALUES: Mapping[tuple[str, str], str] = {
    ("errors", "ErrUnsupported"): "unsupported operation",
    ("syscall", "ENOSYS"): "function not implemented",
    ("syscall", "ENOTSUP"): "operation not supported",
    ("syscall", "EOPNOTSUPP"): "operation not supported",
}


def is_stub_message(message: str) -> bool:
    """Whether a failure message says cgo is needed / not implemented / a stub / unsupported."""
    return _STUB_WORDS.search(message) is not None


def stubs(
    file: GoDecls, package_values: Mapping[str, ErrorValue] | None = None
) -> tuple[Stub, ...]:
    """The stubs of `file`; `package_values` resolves references to other files' values
    (`package_error_values` of the files of the same build)."""
    own = package_error_values([file])
    values = {**(package_values or {}), **own}
    imports = {imp.local: imp.path for imp in file.imports}
    out: list[Stub] = []
    for body in file.failing:
        message, line, in_file = body.message, body.message_line, True
        if body.reference and not body.reference_import:
            value = values.get(body.reference)
            if value is None:
                continue
            message, in_file = value.message, body.reference in own
            line = value.line
        elif body.reference:
            path = imports.get(body.reference_import, "")
            message = _STD_VALUES.get((path, body.reference), "")
        if message and is_stub_message(message):
            out.append(
                Stub(
                    function=body.function,
                    receiver=body.receiver,
                    line=body.line,
                    message=message,
                    message_line=line,
                    message_in_file=in_file,
                )
            )
    return tuple(out)


def package_error_values(files: Iterable[GoDecls]) -> dict[str, ErrorValue]:
    """The package-level error values of a package's files (first declaration wins), with
    `var ErrX = errT{}` given the message of errT's Error method."""
    files = list(files)
    types: dict[str, ErrorType] = {}
    for file in files:
        for error_type in file.error_types:
            types.setdefault(error_type.name, error_type)
    out: dict[str, ErrorValue] = {}
    for file in files:
        for value in file.error_values:
            resolved = value
            if value.error_type:
                known = types.get(value.error_type)
                if known is None:
                    continue
                resolved = dataclasses.replace(value, message=known.message)
            out.setdefault(resolved.name, resolved)
    return out


# ---------------------------------------------------------------------------------------------
# Import names

_MAJOR = re.compile(r"v[0-9]+")


def default_name(path: str) -> str:
    """A guess of an imported package's name from its path (the real one is its clause).

    "math/rand/v2" -> "rand", "gopkg.in/yaml.v3" -> "yaml", "github.com/mattn/go-sqlite3"
    -> "sqlite3", "github.com/x/foo-go" -> "foo".
    """
    parts = [p for p in path.split("/") if p]
    if not parts:
        return ""
    last = parts[-1]
    if _MAJOR.fullmatch(last) and len(parts) > 1:
        last = parts[-2]
    if path.startswith("gopkg.in/"):
        last = last.split(".", 1)[0]
    last = last.removeprefix("go-").removesuffix("-go").removesuffix(".go")
    return last.replace("-", "_").replace(".", "_")


# ---------------------------------------------------------------------------------------------
# Decoding the helper's records


def _int(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return value if isinstance(value, str) else ""


def _list(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _method_uses(raw: Mapping[str, Any], by_local: Mapping[str, str]) -> tuple[MethodUse, ...]:
    out: list[MethodUse] = []
    for m in _list(raw, "method_uses"):
        local = _str(m, "type_pkg")
        path = by_local.get(local) if local else ""
        if path is not None:
            out.append(
                MethodUse(
                    var=_str(m, "var"),
                    name=_str(m, "name"),
                    type_name=_str(m, "type"),
                    import_path=path,
                    local=local,
                    pointer=raw_bool(m, "pointer"),
                    line=_int(m, "line"),
                    field=_str(m, "field"),
                )
            )
    return tuple(out)


def _init_calls(raw: Mapping[str, Any], by_local: Mapping[str, str]) -> tuple[InitCall, ...]:
    return tuple(
        InitCall(
            function=_str(c, "func"),
            import_path=by_local.get(_str(c, "pkg"), ""),
            local=_str(c, "pkg"),
            key=_str(c, "key"),
            literal=raw_bool(c, "literal"),
            text=_str(c, "text"),
            line=_int(c, "line"),
        )
        for c in _list(raw, "init_calls")
    )


def decode(raw: Mapping[str, Any]) -> GoDecls:
    """The record of one helper output line (decoded JSON)."""
    imports = tuple(
        Import(path=_str(i, "path"), name=_str(i, "name"), line=_int(i, "line"))
        for i in _list(raw, "imports")
    )
    by_local: dict[str, str] = {}
    for imp in imports:
        if imp.name not in ("_", "."):
            by_local.setdefault(imp.local, imp.path)
    decls: list[Decl] = []
    for d in _list(raw, "decls"):
        try:
            kind = DeclKind(_str(d, "kind"))
        except ValueError:
            continue
        fields = d.get("fields")
        field_types = tuple(
            FieldType(
                name=_str(f, "name"), type_name=_str(f, "type"), pointer=raw_bool(f, "pointer")
            )
            for f in _list(d, "field_types")
        )
        decls.append(
            Decl(
                kind=kind,
                name=_str(d, "name"),
                line=_int(d, "line"),
                receiver=_str(d, "recv"),
                closed=raw_bool(d, "closed"),
                field_types=field_types,
                fields=tuple(f for f in fields if isinstance(f, str))
                if isinstance(fields, list)
                else (),
            )
        )
    qualified: list[QualifiedUse] = []
    for q in _list(raw, "qualified"):
        local = _str(q, "local")
        path = by_local.get(local)
        if path is not None:
            qualified.append(
                QualifiedUse(
                    import_path=path, local=local, name=_str(q, "name"), line=_int(q, "line")
                )
            )
    import_locals = {q.local for q in qualified} | {
        i.local for i in imports if i.name not in ("_", ".")
    }
    uses = tuple(
        Use(name=_str(u, "name"), line=_int(u, "line"))
        for u in _list(raw, "uses")
        if _str(u, "name") not in import_locals
    )
    return GoDecls(
        package=_str(raw, "package"),
        error=_str(raw, "error"),
        imports=imports,
        decls=tuple(decls),
        uses=uses,
        qualified=tuple(qualified),
        error_values=tuple(
            ErrorValue(
                name=_str(e, "name"),
                message=_str(e, "message"),
                line=_int(e, "line"),
                error_type=_str(e, "type"),
            )
            for e in _list(raw, "errors")
        ),
        error_types=tuple(
            ErrorType(name=_str(e, "name"), message=_str(e, "message"), line=_int(e, "line"))
            for e in _list(raw, "error_types")
        ),
        failing=tuple(
            FailingBody(
                function=_str(f, "func"),
                receiver=_str(f, "recv"),
                line=_int(f, "line"),
                message=_str(f, "message"),
                reference=_str(f, "ref"),
                reference_import=_str(f, "ref_pkg"),
                message_line=_int(f, "msg_line"),
                panics=raw_bool(f, "panics"),
            )
            for f in _list(raw, "fails")
        ),
        method_uses=_method_uses(raw, by_local),
        init_calls=_init_calls(raw, by_local),
        truncated=raw_bool(raw, "truncated"),
        build=_str(raw, "build"),
        build_line=_int(raw, "build_line"),
    )


def raw_bool(raw: Mapping[str, Any], key: str) -> bool:
    """A JSON boolean field (False if absent or not a boolean)."""
    return raw.get(key) is True


def _too_large(size: int) -> GoDecls:
    return GoDecls(
        package="",
        error=f"file too large to parse ({size} bytes; limit {MAX_FILE_BYTES})",
        imports=(),
        decls=(),
        uses=(),
        qualified=(),
        error_values=(),
        failing=(),
    )


# ---------------------------------------------------------------------------------------------
# The helper program


def _helper_env() -> dict[str, str]:
    """go's environment for building the helper for *this* machine (a user's GOOS=windows
    or CGO_ENABLED=1 in the environment must not leak into it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GOOS", "GOARCH", "GOFLAGS", "GOWORK", "CC", "CGO_ENABLED")
        and not k.startswith("GO386")
    }
    env.update(GOTOOLCHAIN="local", GOWORK="off", CGO_ENABLED="0", GOFLAGS="-mod=mod")
    return env


_BUILD_FLAGS = ("-trimpath", "-ldflags=-s -w")
"""How the helper is built: no symbol table nor DWARF (nothing reads them, and linking
them was a third of a cold build's ~0.3 s of CPU, which every cold scan pays)."""


def helper_key(go_version: str) -> str:
    """The cache key of a helper build: its source, flags and the Go version that builds it."""
    digest = hashlib.sha256(_HELPER_SOURCE.read_bytes())
    digest.update(go_version.encode())
    digest.update(repr(_BUILD_FLAGS).encode())
    return digest.hexdigest()[:20]


def _build_command(go: Path, output: Path) -> list[str]:
    """The go command that builds the helper into `output`.

    `go build -o` links the binary on every cold run (~0.2 s of CPU: go's build cache
    keeps compiled packages, not linked programs). `go run` keeps the executables it links
    in go's build cache (Go 1.24 on), so `go run -exec cp . OUTPUT`, which runs `cp
    <the linked binary> OUTPUT`, copies a binary linked by an earlier run (of any project,
    with any cgotrap cache) in ~0.09 s, and links it like `go build` otherwise. Without a
    `cp` whose path go's -exec can take (Windows, a path with spaces or quotes): `go
    build -o`."""
    cp = shutil.which("cp")
    if cp is None or any(c.isspace() or c in "'\"" for c in cp):
        return [str(go), "build", *_BUILD_FLAGS, "-o", str(output), "."]
    return [str(go), "run", *_BUILD_FLAGS, "-exec", cp, ".", str(output)]


def build_helper(go: Path, cache_dir: Path, go_version: str) -> Path:
    """The helper binary in `cache_dir/godecl/<key>/`, built with `go` if not there yet.

    Raises `ToolchainMissingError` (one line) when go cannot build it.
    """
    return HelperBuild.start(go, cache_dir, go_version).wait()


class HelperBuild:
    """A build of the helper binary, running while the caller goes on (`start`), or the
    binary found already built. `wait` gives the binary; `cancel` stops the build and its
    compiler processes (go build runs in its own process group) and waits for them."""

    def __init__(self, binary: Path, proc: subprocess.Popen[str] | None, src: Path | None):
        self.binary = binary
        self._proc = proc
        self._src = src
        """The build's temporary folder (under the binary's), removed when it ends."""

    @classmethod
    def start(cls, go: Path, cache_dir: Path, go_version: str) -> HelperBuild:
        """Start building the helper into `cache_dir/godecl/<key>/` unless it is there.
        Raises `ToolchainMissingError` when go cannot be started."""
        home = cache_dir / "godecl" / helper_key(go_version)
        binary = home / ("godecl.exe" if os.name == "nt" else "godecl")
        if binary.is_file():
            return cls(binary, None, None)
        home.mkdir(parents=True, exist_ok=True)
        src = Path(tempfile.mkdtemp(dir=home, prefix="build-"))
        (src / "main.go").write_bytes(_HELPER_SOURCE.read_bytes())
        (src / "go.mod").write_text("module cgotrap.invalid/godecl\n\ngo 1.21\n")
        try:
            proc = subprocess.Popen(
                _build_command(go, src / binary.name),
                cwd=src,
                env=_helper_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its compilers too are stopped by `cancel`
            )
        except OSError as exc:
            shutil.rmtree(src, ignore_errors=True)
            raise ToolchainMissingError(f"cannot build the Go declaration reader: {exc}") from exc
        return cls(binary, proc, src)

    def wait(self) -> Path:
        """The binary, once built. Raises `ToolchainMissingError` (one line) when go
        could not build it."""
        proc, self._proc = self._proc, None
        if proc is None:
            if self.binary.is_file():
                return self.binary
            raise ToolchainMissingError("cannot build the Go declaration reader: cancelled")
        try:
            try:
                _, stderr = proc.communicate(timeout=_TIMEOUT)
            except BaseException:  # the timeout, Ctrl-C: no compiler left running
                _stop(proc)
                self._remove_src()
                raise
        except subprocess.TimeoutExpired as exc:
            raise ToolchainMissingError(f"cannot build the Go declaration reader: {exc}") from exc
        try:
            if proc.returncode != 0:
                first = (stderr.strip().splitlines() or ["go build failed"])[-1]
                raise ToolchainMissingError(f"cannot build the Go declaration reader: {first}")
            assert self._src is not None  # noqa: S101  # (a started build has its folder)
            # atomic: a concurrent run sees no half-written binary
            (self._src / self.binary.name).replace(self.binary)
        finally:
            self._remove_src()
        return self.binary

    def cancel(self) -> None:
        """Stop the build, if it still runs, and wait for its processes."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop(proc)
        self._remove_src()

    def _remove_src(self) -> None:
        src, self._src = self._src, None
        if src is not None:
            shutil.rmtree(src, ignore_errors=True)


def _stop(proc: subprocess.Popen[str]) -> None:
    """Kill a process started in its own session, with its whole group, and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


STORE_KIND = "godecl"
"""The `cache.Store` kind of the per-file records (`cgotrap cache clean` removes them)."""


class GoDeclReader:
    """Reads many Go files through one helper process per batch, with a content-keyed cache.

    `store` (optional): the cache store to keep per-file records in, under `key` (the
    caller's: one entry per project and helper, `cache.make_key` adds cgotrap's version).
    The entry maps each file's SHA-256 to the helper's record of it; it is read on first
    use and rewritten, with the records this reader used, when they differ from it. Nothing
    is written unless the caller passes a store.
    """

    def __init__(self, helper: Path, *, store: Store | None = None, key: str = "") -> None:
        self._helper = helper
        self._store = store
        self._key = key
        self._memory: dict[str, GoDecls] = {}
        self._stored: dict[str, bytes] | None = None
        """The store's entry as read (None: not read yet)."""
        self._used: dict[str, bytes] = {}
        """Records this reader used (from the store or the helper), to write back."""
        self._lines: dict[str, bytes] = {}
        """The helper's records (JSON lines) by content, decoded into `_memory` when used."""

    @property
    def helper(self) -> Path:
        """The helper binary this reader runs."""
        return self._helper

    def read(self, data: bytes) -> GoDecls:
        """The declarations of one file's bytes."""
        return self.read_many([data])[0]

    def read_many(self, sources: Sequence[bytes]) -> list[GoDecls]:
        """The declarations of each of `sources`, in order."""
        return self.begin(sources).result()

    def begin(self, sources: Sequence[bytes]) -> PendingDecls:
        """`read_many` begun: the helper reads the files not known yet (the first batch)
        while the caller goes on; `PendingDecls.result` waits for it. (A helper left
        unwaited for reads its input file to the end and exits.)"""
        results: list[GoDecls | None] = [None] * len(sources)
        missing: dict[str, list[int]] = {}
        for index, data in enumerate(sources):
            if len(data) > MAX_FILE_BYTES:
                results[index] = _too_large(len(data))
                continue
            key = hashlib.sha256(data).hexdigest()
            known = self._memory.get(key)
            if known is None:
                known = self._decoded(key) if key in self._lines else self._from_store(key)
            if known is not None:
                self._memory[key] = known
                results[index] = known
            else:
                missing.setdefault(key, []).append(index)
        batches: list[list[tuple[str, bytes]]] = []
        batch: list[tuple[str, bytes]] = []
        size = 0
        for key, indexes in missing.items():
            batch.append((key, sources[indexes[0]]))
            size += len(sources[indexes[0]])
            if size >= _BATCH_BYTES:
                batches.append(batch)
                batch, size = [], 0
        if batch:
            batches.append(batch)
        first = HelperRun.start(self._helper, batches[0]) if batches else None
        return PendingDecls(
            reader=self, results=results, missing=missing, batches=batches, first=first
        )

    def _take(self, batch: list[tuple[str, bytes]], run: HelperRun | None = None) -> None:
        """The helper's lines for `batch` (its run, started if not given), kept undecoded."""
        lines = (run or HelperRun.start(self._helper, batch)).lines(len(batch))
        for (key, _), line in zip(batch, lines, strict=True):
            self._lines[key] = line
            if self._store is not None:
                self._used[key] = line

    def _decoded(self, key: str) -> GoDecls:
        got = self._memory.get(key)
        if got is None:
            got = self._memory[key] = decode(json.loads(self._lines[key]))
        return got

    def _from_store(self, key: str) -> GoDecls | None:
        if self._store is None:
            return None
        if self._stored is None:
            got = self._store.get(STORE_KIND, self._key)
            self._stored = got if isinstance(got, dict) else {}
        line = self._stored.get(key)
        if not isinstance(line, bytes):
            return None
        try:
            raw = json.loads(line)
        except ValueError:
            return None
        if not isinstance(raw, dict):
            return None
        self._used[key] = line
        return decode(raw)

    def _save(self) -> None:
        """Write the records used so far when they differ from the store's entry (a
        failure to write only makes the next run slower: `Store.put`)."""
        if self._store is None or not self._used:
            return
        if self._stored is not None and self._stored.keys() == self._used.keys():
            return
        self._stored = dict(self._used)
        self._store.put(STORE_KIND, self._key, self._stored)
