"""Per-file precomputation for `directory`: what one source file means on every build
context at once, as bitmasks over a `ContextSet` (bit i: `contexts[i]`): where its name
rules (GOOS/GOARCH suffixes) and its build constraint accept it, and where each of its
`#cgo` lines holds and what saveCgo then does. Context independent, computed once per file
and read per context class by the directory's import. `UniformFiles`: the same for a whole
directory of the common kind, whose import is then a few filters per class."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence

from cgotrap.evaluate.cgoflags import (
    SplitQuotedError,
    expand_src_dir,
    make_paths_absolute,
    split_quoted,
)
from cgotrap.evaluate.context import ContextSet
from cgotrap.read import filename as fn
from cgotrap.read.constraint import (
    ConstraintSyntaxError,
    NotConstraintError,
    go_fields,
    go_trim_space,
    parse,
    quick_mask,
    split_go_build,
)
from cgotrap.read.filename import FileKind
from cgotrap.read.gofile import Include, Position, SourceFile, go_join


class DirectiveAction(enum.Enum):
    """What saveCgo does with a #cgo line where its condition holds."""

    ERROR = 1
    """Stop with an error ("invalid #cgo line", "malformed #cgo argument", ...)."""
    APPLY = 2
    """Append the arguments to the verb's flag list."""


@dataclasses.dataclass(frozen=True, slots=True)
class Directive:
    """One #cgo line, decided for all contexts: where its condition holds, and then what."""

    cond_mask: int
    """Contexts where the line's GOOS/GOARCH/tag conditions hold (all when it has none)."""
    action: DirectiveAction
    """What saveCgo does there."""
    error_modindex: str = ""
    """The error as the module index words it (file base name, trimmed line)."""
    error_gobuild: str = ""
    """The error as go/build words it (full file name, line as written)."""
    verb: str = ""
    """CFLAGS, CPPFLAGS, CXXFLAGS, FFLAGS, LDFLAGS or pkg-config."""
    args: tuple[str, ...] = ()
    """The split, ${SRCDIR}-expanded, absolutised arguments."""


@dataclasses.dataclass(frozen=True, slots=True)
class FileMasks:
    """A source file with its context masks and per-file facts precomputed."""

    src: SourceFile
    """What was read."""
    osarch: int
    """Contexts where the name rules (goodOSArchFile) accept the file."""
    build: int
    """Contexts where name rules and constraint accept it (ignored if constraint_error)."""
    constraint_error: str
    """The //go:build parse error text ("" when fine)."""
    directives: tuple[Directive, ...]
    """The file's #cgo lines."""
    full: str
    """directory/name, as go names the file."""
    is_test: bool
    """A _test.go file."""
    list_key: str
    """The file list a built non-Go file joins (a FileKind value), or "go"."""
    plain: bool
    """Read without any error and with a valid constraint: where `build` says no, the file
    is simply ignored (the common case the per-class loop takes first)."""
    name: str
    """The file's name."""
    simple_go: bool
    """A plain non-test Go file of a package other than "documentation", without cgo
    (neither `import "C"` nor #cgo lines), `//go:binary-only-package` or embeds: where it
    builds it only names the package and joins GoFiles with its imports (the per-class
    loop does that itself)."""
    imports_c: bool
    """The file says `import "C"`."""


def line_mask(line: str, contexts: ContextSet) -> tuple[int, str]:
    """(contexts where a //go:build or // +build line holds, its syntax error or "").

    Memoised per context set: the same few lines ("//go:build unix") recur across files.
    A +build line that does not parse is ignored by go/build, so it holds everywhere.
    """
    memo = contexts.line_memo
    hit = memo.get(line)
    if hit is not None:
        return hit
    text = split_go_build(line)
    mask = None if text is None else quick_mask(text, contexts.tag_mask, contexts.all_mask)
    if mask is not None:
        hit = (mask, "")
    else:
        try:
            expr = parse(line)
        except ConstraintSyntaxError as exc:
            hit = (contexts.all_mask, exc.message)
        except NotConstraintError:  # pragma: no cover - the readers checked the prefix
            hit = (contexts.all_mask, "")
        else:
            hit = (expr.eval_mask(contexts.tag_mask, contexts.all_mask), "")
    memo[line] = hit
    return hit


def _constraint_masks(src: SourceFile, contexts: ContextSet) -> tuple[int, str]:
    """(contexts where the constraint holds, //go:build parse error or "")."""
    if src.go_build:
        mask, err = line_mask(src.go_build, contexts)
        return (0, err) if err else (mask, "")
    mask = contexts.all_mask
    for line in src.plus_build:
        mask &= line_mask(line, contexts)[0]
    return mask, ""


def osarch_mask(name: str, contexts: ContextSet) -> int:
    """Contexts whose GOOS and GOARCH the name rules accept (`fn.os_arch_tags`), which
    read only the name's part from its first "_" on (kept per context set: "_test.go",
    "_linux.go", "_windows_amd64.go" recur)."""
    dot = name.find(".")
    i = name.find("_", 0, dot if dot >= 0 else len(name))  # (in the stem: "x.y_linux.go": no)
    if i < 0:
        return contexts.all_mask
    tail = name[i:]
    mask = contexts.name_memo.get(tail)
    if mask is None:
        mask = contexts.all_mask
        for tag in fn.os_arch_tags("x" + tail):
            mask &= contexts.tag_mask(tag)
        contexts.name_memo[tail] = mask
    return mask


def match_auto_mask(text: str, contexts: ContextSet) -> int:
    """go/build's matchAuto over all contexts: a //go:build or +build expression."""
    line = ("//go:build " if any(c in text for c in "&|()") else "// +build ") + text
    mask, err = line_mask(line, contexts)
    return 0 if err else mask


def _directives(src: SourceFile, directory: str, contexts: ContextSet) -> tuple[Directive, ...]:
    out: list[Directive] = []
    full = go_join(directory, src.name)
    all_mask = contexts.all_mask
    for raw in src.cgo_directives:
        line = go_trim_space(raw)
        orig_m, orig_b = line, raw  # modindex joins trimmed lines; go/build keeps them

        def err(kind: str, arg_m: str, arg_b: str, cond: int = all_mask) -> Directive:
            return Directive(
                cond,
                DirectiveAction.ERROR,
                error_modindex=f"{src.name}: {kind}: {arg_m}",
                error_gobuild=f"{full}: {kind}: {arg_b}",
            )

        fields = go_fields(line)
        if len(fields) == 3 and fields[1] in ("nocallback", "noescape"):
            continue
        head, colon, argstr = go_trim_space(line[4:]).partition(":")
        if not colon:
            out.append(err("invalid #cgo line", orig_m, orig_b))
            continue
        f = go_fields(head)
        if not f:
            out.append(err("invalid #cgo line", orig_m, orig_b))
            continue
        cond, verb = f[:-1], f[-1]
        cond_mask = all_mask
        if cond:
            cond_mask = 0
            for c in cond:
                cond_mask |= match_auto_mask(c, contexts)
            if not cond_mask:
                continue
        try:
            args = split_quoted(argstr)
        except SplitQuotedError:
            out.append(err("invalid #cgo line", orig_m, orig_b, cond_mask))
            continue
        bad: str | None = None
        for i, arg in enumerate(args):
            expanded, ok = expand_src_dir(arg, directory)
            if not ok:
                bad = expanded
                break
            args[i] = expanded
        if bad is not None:
            out.append(err("malformed #cgo argument", bad, bad, cond_mask))
            continue
        if verb in ("CFLAGS", "CPPFLAGS", "CXXFLAGS", "FFLAGS", "LDFLAGS"):
            make_paths_absolute(args, directory)
        if verb not in ("CFLAGS", "CPPFLAGS", "CXXFLAGS", "FFLAGS", "LDFLAGS", "pkg-config"):
            out.append(err("invalid #cgo verb", orig_m, orig_b, cond_mask))
            continue
        out.append(Directive(cond_mask, DirectiveAction.APPLY, verb=verb, args=tuple(args)))
    return tuple(out)


def file_masks(src: SourceFile, directory: str, contexts: ContextSet) -> FileMasks:
    osarch = osarch_mask(src.name, contexts)
    cmask, cerr = _constraint_masks(src, contexts)
    directives = _directives(src, directory, contexts) if src.cgo_directives else ()
    is_test = src.name.endswith("_test.go")
    plain = not src.error and src.parse_error is None and not cerr
    imports_c = False
    for imp in src.imports:  # (`src.imports_c`, once)
        if imp.path == "C":
            imports_c = True
            break
    return FileMasks(
        src,
        osarch,
        osarch & cmask,
        cerr,
        directives,
        go_join(directory, src.name),
        is_test,
        src.kind.value,
        plain,
        src.name,
        plain
        and src.kind is FileKind.GO
        and not is_test
        and not directives
        and not src.binary_only
        and not src.embeds
        and src.package_name != "documentation"
        and not imports_c,
        imports_c,
    )


Built = tuple[tuple[str, int], ...]
"""Files (name, build mask) in ReadDir order."""

ImportPaths = tuple[
    tuple[str, tuple[Position, ...], int, int, tuple[tuple[int, Position], ...]], ...
]
"""An import table's paths, sorted, each with (its first position, alone in a tuple (see
`import_table`); the contexts where all its files build; where one does; (build mask,
position) per file, in file order)."""

Table = tuple[tuple[str, ...], tuple[tuple[str, tuple[Position, ...]], ...]]
"""(Sorted import paths, each with its first position), as `directory` keeps them."""

Base = tuple[
    tuple[str, ...],  # GoFiles
    tuple[str, ...],  # CgoFiles
    tuple[str, ...],  # IgnoredGoFiles but tests
    tuple[str, ...],  # IgnoredOtherFiles
    dict[str, tuple[str, ...]],  # the other files' lists, by FileKind value
    Table,  # Imports, ImportPos
    dict[str, list[str]],  # #cgo flags by verb
    tuple[Include, ...],  # #includes
    bool,  # whether a non-test file names the package
]
"""What a class's facts take from the package's non-test files (`UniformFiles.base`)."""


class UniformFiles:
    """A directory whose classes differ only in which files build, as most do: every file
    read cleanly with a valid constraint (`FileMasks.plain`), every Go file that builds
    somewhere a plain one (`FileMasks.simple_go`), a test without cgo, or a file that
    imports "C" with #cgo lines that cannot fail and no `//go:binary-only-package` or
    //go:embed; all of one package p (tests: p or p_test), names in ReadDir order. No
    context can then meet an error or a second package, and each of the import's lists is
    its files where they build: a cgo file is a CgoFile where cgo is on too (and an ignored
    one where not), its #cgo lines apply where it builds, .S and .sx files are SFiles where
    a cgo file is one, a test in p_test is an external test (its package is never the one
    named first: that is p, or none yet) (`directory`'s `_import_uniform`). A file of
    package "documentation", or that builds nowhere, is ignored everywhere."""

    __slots__ = (
        "builds",
        "cgo",
        "embeds",
        "flags",
        "go",
        "ignored_go",
        "ignored_other",
        "ignored_tests",
        "imports",
        "includes",
        "kinds",
        "name",
        "named",
        "paths",
        "tables",
        "test",
        "test_builds",
        "xtest",
    )

    def __init__(self) -> None:
        self.name = ""
        """The package (p)."""
        self.named = 0
        """The contexts where a non-test Go file names it (one builds)."""
        self.builds: list[int] = []
        """Every file's build mask but the tests', and the masks cgo adds (what tells
        classes apart)."""
        self.test_builds: list[int] = []
        """The tests' build masks (what tells classes apart further)."""
        self.go: Built = ()
        """The plain non-test Go files (GoFiles where they build)."""
        self.cgo: Built = ()
        """The files that import "C", where they build with cgo on."""
        self.test: Built = ()
        self.xtest: Built = ()
        self.ignored_go: Built = ()
        """Every Go file but the tests, with 0 for one ignored everywhere."""
        self.ignored_tests: Built = ()
        """Every test, with 0 for one ignored everywhere."""
        self.ignored_other: Built = ()
        """Every other file, with 0 for one ignored everywhere."""
        self.kinds: tuple[tuple[str, Built], ...] = ()
        """The other files by list (a FileKind value), for the lists that have some."""
        self.embeds: tuple[tuple[bool, tuple[str, ...], int], ...] = ()
        """Tests with //go:embed patterns: (external, patterns, build mask)."""
        self.includes: tuple[tuple[tuple[Include, ...], int], ...] = ()
        """The cgo files' #includes, with their masks in `cgo`."""
        self.flags: tuple[tuple[int, str, tuple[str, ...]], ...] = ()
        """The #cgo lines (where they apply, verb, arguments), in file order."""
        self.imports: dict[str, tuple[tuple[tuple[SourceFile, int], ...], tuple[int, ...]]] = {}
        """Import table kind ("", "test", "xtest") -> its files with imports (and their
        build masks), and their distinct build masks (whose bits key `tables`)."""
        self.paths: dict[str, ImportPaths] = {}
        """Import table kind -> its paths (`import_paths`), once a second table is made."""
        self.tables: dict[tuple[object, ...], Table] = {}
        """The import tables made so far, by kind and the bits of the masks of its files."""

    @classmethod
    def of(
        cls, files: Sequence[SourceFile], directory: str, contexts: ContextSet
    ) -> UniformFiles | None:
        """The plan of a directory of such files (in ReadDir order), or None."""
        plan = cls()
        builds = plan.builds
        package = ""
        lists: dict[str, list[tuple[str, int]]] = {"go": [], "cgo": [], "test": [], "xtest": []}
        ignored: tuple[list[tuple[str, int]], list[tuple[str, int]]] = ([], [])
        others: list[tuple[str, int, FileKind]] = []
        embeds: list[tuple[bool, tuple[str, ...], int]] = []
        includes: list[tuple[tuple[Include, ...], int]] = []
        flags: list[tuple[int, str, tuple[str, ...]]] = []
        imported: dict[str, list[tuple[SourceFile, int]]] = {"": [], "test": [], "xtest": []}
        all_mask = contexts.all_mask
        previous = ""
        for src in files:
            name = src.name
            if src.error or src.parse_error is not None or name <= previous or not name.isascii():
                return None  # (ASCII: where str order is go's byte order)
            previous = name
            if src.go_build:
                build, error = line_mask(src.go_build, contexts)
                if error:
                    return None
            else:
                build = all_mask
                for line in src.plus_build:
                    build &= line_mask(line, contexts)[0]
            if build:
                build &= osarch_mask(name, contexts)
            if src.kind is not FileKind.GO:
                builds.append(build)
                others.append((name, build, src.kind))
                continue
            is_test = name.endswith("_test.go")
            (plan.test_builds if is_test else builds).append(build)
            pkg = src.package_name
            if not build or pkg == "documentation":
                ignored[is_test].append((name, 0))
                continue
            if not is_test:
                plan.named |= build  # (a cgo file names it with cgo off too)
            imports_c = False
            for imp in src.imports:
                if imp.path == "C":
                    imports_c = True
            if is_test:
                if imports_c or src.cgo_directives:
                    return None
                external = pkg.endswith("_test")
                if external:
                    pkg = pkg[: -len("_test")]
                table = "xtest" if external else "test"
                if src.embeds:
                    embeds.append((external, tuple(e.pattern for e in src.embeds), build))
            elif src.binary_only or src.embeds or (src.cgo_directives and not imports_c):
                return None
            elif imports_c:
                for d in _directives(src, directory, contexts) if src.cgo_directives else ():
                    if not d.cond_mask & build:
                        continue
                    if d.action is DirectiveAction.ERROR:
                        return None
                    flags.append((d.cond_mask & build, d.verb, d.args))
                    builds.append(d.cond_mask & build)
                build &= contexts.cgo_mask  # (ignored where cgo is off)
                builds.append(build)
                if src.includes:
                    includes.append((src.includes, build))
                table = "cgo"
            else:
                table = "go"
            lists[table].append((name, build))
            ignored[is_test].append((name, build))
            if pkg != package:
                if package:
                    return None
                package = pkg
            if src.imports:
                imported[table if table in imported else ""].append((src, build))
        plan.name = package
        plan.go, plan.cgo = tuple(lists["go"]), tuple(lists["cgo"])
        plan.test, plan.xtest = tuple(lists["test"]), tuple(lists["xtest"])
        cgo_any = 0
        for _, m in plan.cgo:
            cgo_any |= m
        kinds: dict[str, list[tuple[str, int]]] = {}
        ignored_other: list[tuple[str, int]] = []
        for name, build, kind in others:
            if kind is FileKind.S_CPP:  # (SFiles where a cgo file is a CgoFile, else ignored)
                kind, build = FileKind.S, build & cgo_any  # noqa: PLW2901
            if build:
                kinds.setdefault(kind.value, []).append((name, build))
            ignored_other.append((name, build))
        plan.ignored_go, plan.ignored_tests = tuple(ignored[0]), tuple(ignored[1])
        plan.ignored_other = tuple(ignored_other)
        plan.kinds = tuple((key, tuple(named)) for key, named in kinds.items())
        plan.embeds, plan.includes, plan.flags = tuple(embeds), tuple(includes), tuple(flags)
        plan.imports = {
            table: (tuple(found), tuple(dict.fromkeys([m for _, m in found])))
            for table, found in imported.items()
            if found
        }
        return plan

    def base(self, bit: int) -> Base:
        """The part of the import of context `bit`'s class that the non-test files decide,
        by filters: the same for the classes that only tests tell apart (with cgo tests,
        half of runtime's)."""
        b = 1 << bit  # (`m & b`: a third faster than `m >> bit & 1`)
        flags: dict[str, list[str]] = {}
        for m, verb, args in self.flags:
            if m & b:
                flags.setdefault(verb, []).extend(args)
        includes: list[Include] = []
        for found, m in self.includes:
            if m & b:
                includes.extend(found)
        return (
            tuple([n for n, m in self.go if m & b]),
            tuple([n for n, m in self.cgo if m & b]),
            tuple([n for n, m in self.ignored_go if not m & b]),
            tuple([n for n, m in self.ignored_other if not m & b]),
            {key: tuple([n for n, m in files if m & b]) for key, files in self.kinds},
            self.table("", bit) if "" in self.imports else ((), ()),
            flags,
            tuple(includes),
            bool(self.named & b),
        )

    def table(self, kind: str, bit: int) -> Table:
        """The import table of `kind` where context `bit` builds: one per set of files
        (shared by the classes that differ elsewhere, as the per-file import shares them)."""
        files, masks = self.imports[kind]
        b = 1 << bit
        key = (kind, *[m & b != 0 for m in masks])
        got = self.tables.get(key)
        if got is not None:
            return got
        paths = self.paths.get(kind)
        if paths is None:  # (the first: most directories have one or two classes)
            self.paths[kind] = ()
            built = [src for src, m in files if m & b]
            got = import_table(built) if kind == "" else (imported_paths(built), ())
        elif kind != "":  # (the test files': their paths alone, see `DirFacts.import_pos`)
            if not paths:
                paths = self.paths[kind] = import_paths(files)
            got = (tuple([path for path, _, _, some, _ in paths if some & b]), ())
        else:
            if not paths:  # (the second: the paths sorted once serve every other)
                paths = self.paths[kind] = import_paths(files)
            keys: list[str] = []
            table: list[tuple[str, tuple[Position, ...]]] = []
            for path, every, always, some, each in paths:
                if not some & b:
                    continue
                keys.append(path)
                if always & b:
                    table.append((path, every))
                else:  # (the first position where it builds: `import_table`'s)
                    table.append((path, (next(pos for m, pos in each if m & b),)))
            got = (tuple(keys), tuple(table))
        self.tables[key] = got
        return got


def import_table(files: Sequence[SourceFile]) -> Table:
    """(The sorted import paths, ImportPos) of `files` (in order): one sort per table.

    Of each path's positions only the first is kept: the one go reports an error of the
    import at (load's setPos of extractFirstImport; `rules.import_position`), and the only
    one cgotrap reads. The others (a path imported by several files of a package) were
    kept, pickled by the prefetch's helper and unpickled, and pickled again for the cache."""
    table: dict[str, tuple[Position]] = {}
    setdefault = table.setdefault
    for src in files:
        for imp in src.imports:
            setdefault(imp.path, (imp.pos,))
    keys = sorted(table)
    return tuple(keys), tuple([(path, table[path]) for path in keys])


def imported_paths(files: Sequence[SourceFile]) -> tuple[str, ...]:
    """The paths `files` import, sorted (`import_table`'s without the positions)."""
    return tuple(sorted({imp.path for src in files for imp in src.imports}))


def import_paths(files: Sequence[tuple[SourceFile, int]]) -> ImportPaths:
    """The paths `files` (with their build masks, in order) import (`ImportPaths`)."""
    found: dict[str, list[tuple[int, Position]]] = {}
    for src, build in files:
        for imp in src.imports:
            found.setdefault(imp.path, []).append((build, imp.pos))
    out = []
    for path in sorted(found):
        each = found[path]
        always, some = -1, 0
        for m, _ in each:
            always &= m
            some |= m
        out.append((path, (each[0][1],), always, some, tuple(each)))
    return tuple(out)
