"""go/build's `Package` for one directory, on every build context at once.

`scan_directory(dir, contexts)` lists the directory once, reads every source file once
(`read.gofile`), turns each file's name rules, build constraint and `#cgo` conditions into
bitmasks over the contexts (`filemasks`), splits the contexts into classes that cannot
differ (partition refinement over those masks), and runs go's directory import once per
class. Most directories have a handful of classes across 94 contexts. Most are also of
one package without errors (`filemasks.UniformFiles`): their import is then a few filters
over the files' masks per class (`_import_uniform`), the non-test files' part once per
class of the non-test files; the others take go's per-file loop (`_import_class`), to
which the tests compare the filters.

Which import is run follows `go list`: cmd/go reads package directories through its module
index (`cmd/go/internal/modindex`, a lightly modified copy of go/build), except when the
directory cannot be indexed - it holds a non-regular file (a symlink), a file modified in
the last two seconds, or it is a `internal/fips140/v...` snapshot - where it falls back to
`go/build.ImportDir`. The two differ in corner cases (a `//go:build` line that does not
parse aborts the whole import in the index but only marks the file invalid in go/build;
the index reports parse errors of files excluded by constraints, go/build does not), and
both are implemented here (`ImportSemantics`; AUTO also honours GOCACHE=off and
GODEBUG=goindex=0 in the environment, which turn the index off).

Errors carry the text `go list` prints in `Error.Err` for go/build-level errors.
Load-level errors (import resolution, ImportStack) and the loader's own edits belong to
the layer above: with CGO_ENABLED=0, cmd/go's loader empties CFiles, CXXFiles, MFiles,
SwigFiles and SwigCXXFiles after go/build reported them; `DirFacts` keeps go/build's lists.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import os
import stat
import time
from collections.abc import Sequence
from pathlib import Path
from typing import assert_never

from cgotrap.evaluate.context import ContextSet
from cgotrap.evaluate.filemasks import (
    Base,
    DirectiveAction,
    FileMasks,
    UniformFiles,
    file_masks,
    import_table,
    imported_paths,
)
from cgotrap.gostd import short_path
from cgotrap.read import filename as fn
from cgotrap.read.filename import FileKind
from cgotrap.read.gofile import (
    Include,
    ParseError,
    Position,
    SourceFile,
    go_errno_text,
    go_join,
    read_source_file,
)


class ImportSemantics(enum.StrEnum):
    """Which of go's two directory readers to imitate."""

    AUTO = "auto"
    """As `go list` does: the module index unless the directory cannot be indexed."""
    MODINDEX = "modindex"
    """cmd/go/internal/modindex's `IndexPackage.Import`."""
    GOBUILD = "gobuild"
    """go/build's `Context.Import` (what `GODEBUG=goindex=0` or `GOCACHE=off` give)."""


class DirErrorKind(enum.StrEnum):
    """The go/build-level error classes."""

    NO_GO = "no-go"
    """`*build.NoGoError`: no buildable Go files (go list words it three ways)."""
    MULTIPLE_PACKAGES = "multiple-packages"
    """`*MultiplePackageError`: "found packages a (a.go) and b (b.go) in DIR"."""
    PARSE = "parse"
    """A go/parser error in a file header (`scanner.ErrorList`): has a position."""
    FILE = "file"
    """Another per-file error: read failure, bad #cgo line, cgo in a test, two //go:build."""
    CONSTRAINT = "constraint"
    """A //go:build line that does not parse ("x.go: parsing //go:build line: ...")."""
    DIRECTORY = "directory"
    """The directory itself cannot be read."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DirError:
    """A go/build-level error of one directory on one context."""

    kind: DirErrorKind
    """What kind of error."""
    err: str
    """The text go list prints as `Error.Err` (for PARSE: the message without position)."""
    pos: Position | None = None
    """For PARSE errors, the position; go list prints it (as `Error.Pos`) with the file name
    shortened by `base.ShortPath` (relative to the working directory when shorter)."""
    file: str = ""
    """The base name of the file at fault ("" for directory-level errors)."""

    def golist_pos(self, cwd: str | None = None) -> str:
        """`Error.Pos` as go list prints it: "x.go:3:8" relative to `cwd` when shorter."""
        if self.pos is None:
            return ""
        short = dataclasses.replace(self.pos, filename=short_path(self.pos.filename, cwd))
        return str(short)


ImportPos = tuple[tuple[str, tuple[Position, ...]], ...]
"""Import path → positions of the import specs, sorted by path (go/build's ImportPos); of
an import only the first position is kept (`filemasks.import_table`: what go reports an
import's error at), of an embed pattern every one."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DirFacts:
    """go/build's Package fields for one directory on one context."""

    name: str = ""
    """The package clause of the buildable files ("" if none)."""
    go_files: tuple[str, ...] = ()
    """GoFiles."""
    cgo_files: tuple[str, ...] = ()
    """CgoFiles."""
    ignored_go_files: tuple[str, ...] = ()
    """IgnoredGoFiles (excluded by constraints, cgo files with cgo off, "documentation")."""
    invalid_go_files: tuple[str, ...] = ()
    """InvalidGoFiles (parse errors, wrong package, bad #cgo lines, ...)."""
    ignored_other_files: tuple[str, ...] = ()
    """IgnoredOtherFiles (non-Go sources excluded; .S/.sx without cgo)."""
    c_files: tuple[str, ...] = ()
    """CFiles."""
    cxx_files: tuple[str, ...] = ()
    """CXXFiles."""
    m_files: tuple[str, ...] = ()
    """MFiles."""
    h_files: tuple[str, ...] = ()
    """HFiles."""
    f_files: tuple[str, ...] = ()
    """FFiles."""
    s_files: tuple[str, ...] = ()
    """SFiles (.s; plus .S/.sx when the package has cgo files)."""
    swig_files: tuple[str, ...] = ()
    """SwigFiles."""
    swigcxx_files: tuple[str, ...] = ()
    """SwigCXXFiles."""
    syso_files: tuple[str, ...] = ()
    """SysoFiles."""
    test_go_files: tuple[str, ...] = ()
    """TestGoFiles."""
    xtest_go_files: tuple[str, ...] = ()
    """XTestGoFiles."""
    imports: tuple[str, ...] = ()
    """Imports of GoFiles and CgoFiles: sorted, "C" included, as written (no vendor)."""
    test_imports: tuple[str, ...] = ()
    """TestImports."""
    xtest_imports: tuple[str, ...] = ()
    """XTestImports."""
    import_pos: ImportPos = ()
    """ImportPos. (Not TestImportPos nor XTestImportPos: nothing reads them, and their
    positions were a fifth of the bytes that move the scans between processes and into
    the cache, a quarter of the CPU.)"""
    embed_patterns: tuple[str, ...] = ()
    """EmbedPatterns (sorted)."""
    embed_pos: ImportPos = ()
    """EmbedPatternPos: pattern -> where it is written, in file order (sorted by pattern)."""
    test_embed_patterns: tuple[str, ...] = ()
    """TestEmbedPatterns."""
    xtest_embed_patterns: tuple[str, ...] = ()
    """XTestEmbedPatterns."""
    cgo_cflags: tuple[str, ...] = ()
    """CgoCFLAGS."""
    cgo_cppflags: tuple[str, ...] = ()
    """CgoCPPFLAGS."""
    cgo_cxxflags: tuple[str, ...] = ()
    """CgoCXXFLAGS."""
    cgo_fflags: tuple[str, ...] = ()
    """CgoFFLAGS."""
    cgo_ldflags: tuple[str, ...] = ()
    """CgoLDFLAGS."""
    cgo_pkg_config: tuple[str, ...] = ()
    """CgoPkgConfig."""
    includes: tuple[Include, ...] = ()
    """Headers #include'd by the cgo preambles of cgo_files (in file order)."""
    binary_only: bool = False
    """BinaryOnly (//go:binary-only-package)."""
    error: DirError | None = None
    """The go/build-level error, if any (first one, as go reports)."""

    @property
    def has_go_files(self) -> bool:
        """Whether the directory holds a buildable package here (no NoGoError)."""
        return bool(self.go_files or self.cgo_files or self.test_go_files or self.xtest_go_files)


# ---------------------------------------------------------------------------------------
# The per-class import (modindex's IndexPackage.Import / go/build's Context.Import).


class _Builder:
    """Mutable lists while importing one context class; frozen into DirFacts at the end."""

    __slots__ = (
        "bad",
        "bad_error",
        "binary_only",
        "embed_pos",
        "embeds",
        "first_file",
        "flags",
        "import_files",
        "includes",
        "invalid",
        "lists",
        "name",
    )

    def __init__(self) -> None:
        self.first_file = ""  # the file that named the package first
        self.name = ""
        # File lists by key: FileKind values for non-Go kinds, and the Go lists below.
        self.lists: dict[str, list[str]] = {
            key: []
            for key in (*_KIND_KEYS, "go", "cgo", "test", "xtest", "ignored_go", "ignored_other")
        }
        self.flags: dict[str, list[str]] = {}
        # The Go files with imports, by import table ("": GoFiles and CgoFiles), in order.
        self.import_files: dict[str, list[FileMasks]] = {"": [], "test": [], "xtest": []}
        self.embeds: dict[str, set[str]] = {"": set(), "test": set(), "xtest": set()}
        self.embed_pos: dict[str, list[Position]] = {}
        self.includes: list[Include] = []
        self.invalid: list[str] = []
        self.bad: set[str] = set()
        self.bad_error: DirError | None = None
        self.binary_only = False

    def package(self, name: str, pkg: str, directory: str) -> None:
        """File `name` says `package pkg`: the first one names the package, another name
        is an error."""
        if self.name == "":
            self.name = pkg
            self.first_file = name
        elif pkg != self.name:
            self.bad_go_file(
                name,
                DirError(
                    kind=DirErrorKind.MULTIPLE_PACKAGES,
                    err=f"found packages {self.name} ({self.first_file}) and {pkg} ({name}) in "
                    + directory,
                    file=name,
                ),
            )

    def bad_go_file(self, name: str, error: DirError) -> None:
        if self.bad_error is None:
            self.bad_error = error
        if name not in self.bad:
            self.invalid.append(name)
            self.bad.add(name)

    def facts(self, error: DirError | None, *, finish: bool, tables: _Tables) -> DirFacts:
        """`tables`: the import tables of the directory's other classes, by their files."""
        lists = self.lists
        imports: dict[str, tuple[tuple[str, ...], ImportPos]] = {}
        for kind, files in self.import_files.items():
            if not (finish and files):
                imports[kind] = ((), ())
                continue
            key = (kind, *map(id, files))
            got = tables.get(key)
            if got is None:
                srcs = [fm.src for fm in files]
                # (the test files' positions are not kept: see `DirFacts.import_pos`)
                got = import_table(srcs) if kind == "" else (imported_paths(srcs), ())
                tables[key] = got
            imports[kind] = got

        def embeds(kind: str) -> tuple[str, ...]:
            found = self.embeds[kind]
            return tuple(sorted(found)) if finish and found else ()

        flags = self.flags
        return DirFacts(
            name=self.name,
            go_files=tuple(lists["go"]),
            cgo_files=tuple(lists["cgo"]),
            ignored_go_files=tuple(lists["ignored_go"]),
            invalid_go_files=tuple(self.invalid),
            ignored_other_files=tuple(lists["ignored_other"]),
            c_files=tuple(lists[FileKind.C]),
            cxx_files=tuple(lists[FileKind.CXX]),
            m_files=tuple(lists[FileKind.M]),
            h_files=tuple(lists[FileKind.H]),
            f_files=tuple(lists[FileKind.F]),
            s_files=tuple(lists[FileKind.S]),
            swig_files=tuple(lists[FileKind.SWIG]),
            swigcxx_files=tuple(lists[FileKind.SWIGCXX]),
            syso_files=tuple(lists[FileKind.SYSO]),
            test_go_files=tuple(lists["test"]),
            xtest_go_files=tuple(lists["xtest"]),
            imports=imports[""][0],
            test_imports=imports["test"][0],
            xtest_imports=imports["xtest"][0],
            import_pos=imports[""][1],
            embed_patterns=embeds(""),
            embed_pos=(
                tuple((k, tuple(self.embed_pos[k])) for k in sorted(self.embed_pos))
                if finish and self.embed_pos
                else ()
            ),
            test_embed_patterns=embeds("test"),
            xtest_embed_patterns=embeds("xtest"),
            cgo_cflags=tuple(flags.get("CFLAGS", ())),
            cgo_cppflags=tuple(flags.get("CPPFLAGS", ())),
            cgo_cxxflags=tuple(flags.get("CXXFLAGS", ())),
            cgo_fflags=tuple(flags.get("FFLAGS", ())),
            cgo_ldflags=tuple(flags.get("LDFLAGS", ())),
            cgo_pkg_config=tuple(flags.get("pkg-config", ())),
            includes=tuple(self.includes),
            binary_only=self.binary_only,
            error=error,
        )


_KIND_KEYS = tuple(kind.value for kind in FileKind if kind is not FileKind.GO)


_Tables = dict[tuple[object, ...], tuple[tuple[str, ...], ImportPos]]
"""Import tables built for a directory's classes, by table kind and files (their ids, or
`UniformFiles`' key): classes that differ elsewhere share them (half of GOROOT's tables)."""


def _save_cgo(b: _Builder, fm: FileMasks, bit: int, semantics: ImportSemantics) -> DirError | None:
    """saveCgo for one file on one context: apply the lines whose condition holds."""
    for d in fm.directives:
        if not (d.cond_mask >> bit) & 1:
            continue
        match d.action:
            case DirectiveAction.ERROR:
                modindex = semantics is ImportSemantics.MODINDEX
                text = d.error_modindex if modindex else d.error_gobuild
                return DirError(kind=DirErrorKind.FILE, err=text, file=fm.src.name)
            case DirectiveAction.APPLY:
                b.flags.setdefault(d.verb, []).extend(d.args)
            case _:
                assert_never(d.action)
    return None


def _parse_dir_error(src: SourceFile, perr: ParseError) -> DirError:
    if not perr.in_error_list:
        return DirError(kind=DirErrorKind.FILE, err=f"{perr.pos}: {perr.msg}", file=src.name)
    return DirError(kind=DirErrorKind.PARSE, err=perr.msg, pos=perr.pos, file=src.name)


def _file_error(name: str, text: str) -> DirError:
    return DirError(kind=DirErrorKind.FILE, err=text, file=name)


def _import_class(
    directory: str,
    files: Sequence[FileMasks],
    bit: int,
    cgo_enabled: bool,
    semantics: ImportSemantics,
    *,
    tables: _Tables,
) -> DirFacts:
    """One context's import, reading the per-file masks at bit `bit`; `tables`: the
    directory's import tables so far (`_Builder.facts`)."""
    modindex = semantics is ImportSemantics.MODINDEX
    b = _Builder()
    lists = b.lists
    ignored_go = lists["ignored_go"]
    ignored_other = lists["ignored_other"]
    go_files = lists["go"]
    go_imports = b.import_files[""]
    s_files: list[str] = []
    for fm in files:
        if fm.plain:
            if not (fm.build >> bit) & 1:  # excluded here: ignored, both ways
                (ignored_go if fm.list_key == "go" else ignored_other).append(fm.name)
                continue
            if fm.simple_go:  # (`_add_go_file`'s part for such a file)
                b.package(fm.name, fm.src.package_name, directory)
                go_files.append(fm.name)
                if fm.src.imports:
                    go_imports.append(fm)
                continue
        src = fm.src
        name = src.name
        is_go = fm.list_key == "go"
        if modindex and is_go:
            if src.error:
                b.bad_go_file(name, _file_error(name, src.error))
                continue
            if src.parse_error is not None:
                b.bad_go_file(name, _parse_dir_error(src, src.parse_error))
        osarch_ok = (fm.osarch >> bit) & 1
        if modindex:
            if osarch_ok and fm.constraint_error:
                err = f"{name}: parsing //go:build line: {fm.constraint_error}"
                return b.facts(
                    DirError(kind=DirErrorKind.CONSTRAINT, err=err, file=name),
                    finish=False,
                    tables=tables,
                )
            should_build = (fm.build >> bit) & 1
        else:
            # go/build: files rejected by name are not even opened.
            if not osarch_ok:
                (ignored_go if is_go else ignored_other).append(name)
                continue
            if src.error and not src.error.endswith(": multiple //go:build comments"):
                if is_go:
                    b.bad_go_file(name, _file_error(name, src.error))
                    continue
                if src.error.startswith("open "):
                    ignored_other.append(name)
                    continue
                should_build = 1
            elif src.error or fm.constraint_error:
                if is_go:
                    text = src.error or f"{name}: parsing //go:build line: {fm.constraint_error}"
                    kind_e = DirErrorKind.FILE if src.error else DirErrorKind.CONSTRAINT
                    b.bad_go_file(name, DirError(kind=kind_e, err=text, file=name))
                else:
                    ignored_other.append(name)
                continue
            else:
                should_build = (fm.build >> bit) & 1
        if not should_build:
            (ignored_go if is_go else ignored_other).append(name)
            continue
        if not is_go:
            if fm.list_key == FileKind.S_CPP:
                s_files.append(name)
            else:
                lists[fm.list_key].append(name)
            continue
        _add_go_file(
            b, fm, directory=directory, bit=bit, cgo_enabled=cgo_enabled, semantics=semantics
        )
    if lists["cgo"]:
        lists[FileKind.S].extend(s_files)
        lists[FileKind.S].sort(key=_go_sort_key)
    else:
        ignored_other.extend(s_files)
        ignored_other.sort(key=_go_sort_key)
    if b.bad_error is not None:
        return b.facts(b.bad_error, finish=True, tables=tables)
    if lists["go"] or lists["cgo"] or lists["test"] or lists["xtest"]:
        return b.facts(None, finish=True, tables=tables)
    return b.facts(_no_go(directory, ignored_go, tests=False), finish=True, tables=tables)


# go/build/build.go: (*Context).Import, a Go file's part of the per-file loop after the
# build check: package clause, cgo, test/xtest, imports and embeds (go1.27.3)
def _add_go_file(
    b: _Builder,
    fm: FileMasks,
    *,
    directory: str,
    bit: int,
    cgo_enabled: bool,
    semantics: ImportSemantics,
) -> None:
    """Add one Go file that builds in this context to the package being imported."""
    modindex = semantics is ImportSemantics.MODINDEX
    src = fm.src
    name = src.name
    lists = b.lists
    ignored_go = lists["ignored_go"]
    if not modindex and src.parse_error is not None:
        b.bad_go_file(name, _parse_dir_error(src, src.parse_error))
    pkg = src.package_name
    if pkg == "documentation":
        ignored_go.append(name)
        return
    is_test = fm.is_test
    is_xtest = False
    if is_test and pkg.endswith("_test") and b.name != pkg:
        is_xtest = True
        pkg = pkg[: -len("_test")]
    if not is_test and src.binary_only:
        b.binary_only = True
    b.package(name, pkg, directory)
    is_cgo = False
    imports = src.imports
    for imp in imports:
        if imp.path == "C":
            if is_test:
                shown = name if modindex else fm.full
                b.bad_go_file(name, _file_error(name, f"use of cgo in test {shown} not supported"))
                continue
            is_cgo = True
    if fm.directives and (modindex or is_cgo):
        cgo_err = _save_cgo(b, fm, bit, semantics)
        if cgo_err is not None:
            b.bad_go_file(name, cgo_err)
    if is_cgo:
        if not cgo_enabled:
            ignored_go.append(name)
            return
        lists["cgo"].append(name)
        key = ""
        b.includes.extend(src.includes)
    elif is_xtest:
        lists["xtest"].append(name)
        key = "xtest"
    elif is_test:
        lists["test"].append(name)
        key = "test"
    else:
        lists["go"].append(name)
        key = ""
    if imports:
        b.import_files[key].append(fm)
    if src.embeds:
        b.embeds[key].update(e.pattern for e in src.embeds)
        if not key:
            for e in src.embeds:
                b.embed_pos.setdefault(e.pattern, []).append(e.pos)


def no_go_error(directory: str, facts: DirFacts) -> DirError:
    """`*build.NoGoError` worded as cmd/go's load.NoGoError prints it."""
    return _no_go(
        directory, facts.ignored_go_files, tests=bool(facts.test_go_files or facts.xtest_go_files)
    )


def _no_go(directory: str, ignored_go: Sequence[str], *, tests: bool) -> DirError:
    if ignored_go:
        text = "build constraints exclude all Go files in " + directory
    elif tests:
        text = "no non-test Go files in " + directory
    else:
        text = "no Go files in " + directory
    return DirError(kind=DirErrorKind.NO_GO, err=text)


def _go_sort_key(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------------------
# The common directory, imported by filters.


def _import_uniform(plan: UniformFiles, base: Base, directory: str, bit: int) -> DirFacts:
    """`_import_class` in a directory `plan` describes, by filters (see `UniformFiles`), on
    the part its non-test files decide there (`UniformFiles.base`)."""
    b = 1 << bit
    go, cgo, ignored_go, ignored_other, other, imports, flags, includes, named = base
    test = tuple([n for n, m in plan.test if m & b])
    xtest = tuple([n for n, m in plan.xtest if m & b])
    ignored_tests = [n for n, m in plan.ignored_tests if not m & b]
    if ignored_tests:  # (in ReadDir order: `UniformFiles` names are, and sort as go's)
        ignored_go = tuple(sorted(ignored_go + tuple(ignored_tests)))
    none = ((), ())
    test_imports = plan.table("test", bit) if "test" in plan.imports else none
    xtest_imports = plan.table("xtest", bit) if "xtest" in plan.imports else none
    embeds: tuple[set[str], set[str]] = (set(), set())
    for external, patterns, build in plan.embeds:
        if build & b:
            embeds[external].update(patterns)
    built = bool(go or cgo or test or xtest)
    return DirFacts(
        name=plan.name if named or test or xtest else "",
        go_files=go,
        cgo_files=cgo,
        ignored_go_files=ignored_go,
        ignored_other_files=ignored_other,
        c_files=other.get(FileKind.C, ()),
        cxx_files=other.get(FileKind.CXX, ()),
        m_files=other.get(FileKind.M, ()),
        h_files=other.get(FileKind.H, ()),
        f_files=other.get(FileKind.F, ()),
        s_files=other.get(FileKind.S, ()),
        swig_files=other.get(FileKind.SWIG, ()),
        swigcxx_files=other.get(FileKind.SWIGCXX, ()),
        syso_files=other.get(FileKind.SYSO, ()),
        test_go_files=test,
        xtest_go_files=xtest,
        imports=imports[0],
        test_imports=test_imports[0],
        xtest_imports=xtest_imports[0],
        import_pos=imports[1],
        test_embed_patterns=tuple(sorted(embeds[False])),
        xtest_embed_patterns=tuple(sorted(embeds[True])),
        cgo_cflags=tuple(flags.get("CFLAGS", ())),
        cgo_cppflags=tuple(flags.get("CPPFLAGS", ())),
        cgo_cxxflags=tuple(flags.get("CXXFLAGS", ())),
        cgo_fflags=tuple(flags.get("FFLAGS", ())),
        cgo_ldflags=tuple(flags.get("LDFLAGS", ())),
        cgo_pkg_config=tuple(flags.get("pkg-config", ())),
        includes=includes,
        error=None if built else _no_go(directory, ignored_go, tests=False),
    )


# ---------------------------------------------------------------------------------------
# Listing and the entry point.


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class DirListing:
    """The source files of a directory and whether go's module index would read it."""

    sources: tuple[tuple[str, FileKind], ...]
    """Non-hidden source files (name, kind), in go's ReadDir order (bytewise by name)."""
    indexable: bool
    """False when cmd/go falls back to go/build (non-regular file, fresh mtime, ...)."""
    pipes: frozenset[str] = frozenset()
    """Source names that are (or link to) something other than a regular file - a named
    pipe, a terminal, a device: go could block or read forever on them, so cgotrap does
    not open them and records an error for the file instead."""


MODTIME_CUTOFF_SECONDS = 2.0
"""modindex's modTimeCutoff: a file this recent makes the directory unindexable."""


def list_directory(
    directory: str,
    *,
    now: float | None = None,
    entries: Sequence[os.DirEntry[str]] | None = None,
) -> DirListing:
    """List a directory like go/build's ReadDir loop (raises OSError if unreadable).

    `entries`: the directory's entries, already listed by `os.scandir` (their cached
    stats are used), instead of listing it here."""
    cutoff = (time.time() if now is None else now) - MODTIME_CUTOFF_SECONDS
    sources: list[tuple[str, FileKind]] = []
    indexable = "internal/fips140/v" not in directory.replace(os.sep, "/")
    if entries is None:
        with os.scandir(directory) as it:
            entries = list(it)
    # (by name, as str: bytewise for names that are not ASCII, whose surrogates do not sort
    # as their bytes)
    ascii_names = all(e.name.isascii() for e in entries)
    entries = sorted(entries, key=_entry_name if ascii_names else _entry_go_sort_key)
    pipes: set[str] = set()
    for entry in entries:
        name = entry.name
        try:
            if entry.is_file(follow_symlinks=False):  # (most: a regular file, not a link)
                if indexable:
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff:
                        indexable = False
            elif entry.is_dir(follow_symlinks=False):
                continue
            elif entry.is_symlink():
                indexable = False
                if entry.is_dir(follow_symlinks=True):
                    continue
            else:
                indexable = False  # (not a regular file)
            if not entry.is_file(follow_symlinks=True) and not stat.S_ISREG(
                entry.stat(follow_symlinks=True).st_mode
            ):
                pipes.add(name)
        except OSError:
            indexable = False
        if name.startswith(("_", ".")):  # (`fn.is_hidden`)
            continue
        kind = fn.file_kind(name)
        if kind is None:
            continue
        sources.append((name, kind))
    return DirListing(sources=tuple(sources), indexable=indexable, pipes=frozenset(pipes))


_entry_name = operator.attrgetter("name")


def _entry_go_sort_key(entry: os.DirEntry[str]) -> bytes:
    return _go_sort_key(entry.name)


def _partition(all_mask: int, masks: Sequence[int]) -> list[int]:
    """Split the contexts into classes no mask tells apart (partition refinement)."""
    classes = [all_mask]
    for m in dict.fromkeys(masks):  # (each once: most files of a directory share a few)
        if m in (0, all_mask):
            continue
        refined: list[int] = []
        for cls in classes:
            inside = cls & m
            if inside and inside != cls:
                refined.append(inside)
                refined.append(cls & ~m)
            else:
                refined.append(cls)
        classes = refined
    return classes


def scan_directory(
    directory: Path | str,
    contexts: ContextSet,
    *,
    semantics: ImportSemantics = ImportSemantics.AUTO,
    entries: Sequence[os.DirEntry[str]] | None = None,
    digests: dict[str, bytes] | None = None,
) -> tuple[DirFacts, ...]:
    """One DirFacts per context (equal results are the same object). Reads each file once.

    `directory` is used as go names it: messages and positions are built from it, so pass
    the absolute, clean path go list would show as `Dir`. `entries`: its `os.scandir`
    entries when the caller has listed it already (`list_directory`). `digests`: filled
    with the digest of the bytes read of each file, by name (`read_source_file`).
    """
    dir_str = os.fspath(directory)
    try:
        listing = list_directory(dir_str, entries=entries)
    except OSError as exc:
        err = DirError(kind=DirErrorKind.DIRECTORY, err=_dir_error_text(dir_str, exc))
        facts = DirFacts(error=err)
        return tuple(facts for _ in contexts.contexts)
    listed = {e.name: e for e in entries} if entries is not None else {}
    files = [
        _pipe(dir_str, name, kind)
        if name in listing.pipes
        else read_source_file(dir_str, name, kind, digests, _entry_stat(listed.get(name)))
        for name, kind in listing.sources
    ]
    return evaluate_directory(dir_str, files, contexts, semantics=_resolve(semantics, listing))


def _entry_stat(entry: os.DirEntry[str] | None) -> os.stat_result | None:
    """The entry's stat (symbolic links followed; cached by the entry once taken, as the
    cache's `dir_states` takes it): the file's read takes none again."""
    if entry is None:
        return None
    try:
        return entry.stat()
    except OSError:
        return None


def _pipe(directory: str, name: str, kind: FileKind) -> SourceFile:
    """A pipe or device in place of a source: an error for the file, never a blocked read."""
    full = go_join(directory, name)
    return SourceFile(
        name=name, kind=kind, error=f"open {full}: not a regular file, not read by cgotrap"
    )


def _resolve(semantics: ImportSemantics, listing: DirListing) -> ImportSemantics:
    match semantics:
        case ImportSemantics.AUTO:
            index_on = os.environ.get("GOCACHE") != "off" and "goindex=0" not in os.environ.get(
                "GODEBUG", ""
            )
            if listing.indexable and index_on:
                return ImportSemantics.MODINDEX
            return ImportSemantics.GOBUILD
        case ImportSemantics.MODINDEX | ImportSemantics.GOBUILD:
            return semantics
        case _:
            assert_never(semantics)


def _dir_error_text(directory: str, exc: OSError) -> str:
    """go/build's ImportDir errors (an unreadable directory is never indexed)."""
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return f'cannot find package "." in:\n\t{directory}'
    return f"open {directory}: {go_errno_text(exc)}"


def evaluate_directory(
    directory: str,
    files: Sequence[SourceFile],
    contexts: ContextSet,
    *,
    semantics: ImportSemantics = ImportSemantics.MODINDEX,
) -> tuple[DirFacts, ...]:
    """The per-context facts of already-read source files (`files` in ReadDir order)."""
    return _evaluate(directory, files, contexts, semantics, uniform=True)


def _evaluate(
    directory: str,
    files: Sequence[SourceFile],
    contexts: ContextSet,
    semantics: ImportSemantics,
    *,
    uniform: bool,
) -> tuple[DirFacts, ...]:
    """`evaluate_directory`; `uniform`: a directory `_Uniform` takes is imported its way
    (False: every directory goes through `_import_class`, which the tests compare with)."""
    if semantics is ImportSemantics.AUTO:
        semantics = ImportSemantics.MODINDEX
    out = [_NO_FACTS] * len(contexts)  # (the classes cover every context)
    plan = UniformFiles.of(files, directory, contexts) if uniform else None
    if plan is not None:  # (its classes: where files build, which is all that differs)
        for base_class in _partition(contexts.all_mask, plan.builds):
            base = plan.base((base_class & -base_class).bit_length() - 1)
            for cls in _partition(base_class, plan.test_builds):
                facts = _import_uniform(plan, base, directory, (cls & -cls).bit_length() - 1)
                for i in contexts.indices(cls):
                    out[i] = facts
        return tuple(out)
    masks = [file_masks(src, directory, contexts) for src in files]
    # CGO_ENABLED itself only matters to a non-test file that imports "C", where it builds
    # (`_add_go_file`); elsewhere it matters only through the `cgo` tag, which the masks
    # below already carry. Not splitting on it halves the classes of most directories (and
    # shares their facts). A plain file's name rules matter only through `build`
    # (`_import_class`): its `osarch` splits nothing more; a #cgo line's condition matters
    # only where its file builds.
    splitters: list[int] = []
    cgo_used = 0
    for fm in masks:
        if not fm.plain:
            splitters.append(fm.osarch)
        build = fm.build
        splitters.append(build)
        if fm.directives:
            splitters.extend([d.cond_mask & build for d in fm.directives])
        if fm.imports_c and not fm.is_test:
            cgo_used |= build
    splitters.append(contexts.cgo_mask & cgo_used)
    tables: _Tables = {}
    for cls in _partition(contexts.all_mask, splitters):
        bit = (cls & -cls).bit_length() - 1
        cgo = contexts.contexts[bit].cgo_enabled
        facts = _import_class(directory, masks, bit, cgo, semantics, tables=tables)
        for i in contexts.indices(cls):
            out[i] = facts
    return tuple(out)


_NO_FACTS = DirFacts()
