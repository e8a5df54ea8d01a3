"""Compiler, linker, vet and test output -> findings of the build rules (CGO100-CGO199).

`classify(output, ...)` reads what go (and, through it, cgo, zig, lld, the Go assembler)
printed for one failing step of one target and names every failure in it. `TABLE` is the
whole classifier: rows of (pattern, rule, message), tried in order on each output line; each
pattern quotes the real message it matches, and a row's reader pulls the message's fields
(and where in the project it comes from) out of the match, or declines so that a later row
is tried. Output that matches no row becomes one CGO199 finding carrying the whole output,
so nothing is dropped. The rules' documentation is `cgotrap.judge.rules.build`.

Messages are target-neutral where the cause is (so identical findings group across
targets: `group`), and say what to do in one line.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from cgotrap.errors import DataError
from cgotrap.inputs import read_regular
from cgotrap.judge.finding import Evidence, Finding, Rule, Step
from cgotrap.judge.headers import catalog
from cgotrap.judge.rules import get
from cgotrap.targets import Libc, Target

__all__ = [
    "TABLE",
    "Row",
    "Step",
    "classify",
    "failed_tests",
    "group",
    "libc_name",
    "unclassified",
]

_MAX_FINDINGS_PER_STEP = 20
"""A broken tree can print thousands of errors; the rest stay in the step's log."""
_MAX_SCAN_FILES = 2000
"""Bound on project files read to locate a name (`#cgo LDFLAGS: -lpcap`)."""
_MAX_SCAN_BYTES = 1 << 20


def group(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Merge findings that differ only in their targets (and evidence text), first-seen
    order; the merged finding keeps the first one's evidence."""
    merged: dict[tuple[str, Step | None, str, str, str, int | None], list[Finding]] = {}
    for finding in findings:
        key = (
            finding.rule.id,
            finding.step,
            finding.message,
            finding.package,
            finding.file,
            finding.line,
        )
        merged.setdefault(key, []).append(finding)
    return tuple(
        dataclasses.replace(
            same[0], targets=tuple(dict.fromkeys(t for f in same for t in f.targets))
        )
        for same in merged.values()
    )


# --- where the target's C library comes from, for messages ---------------------------------


def libc_name(target: Target) -> str:
    """The C library a cgo build of `target` compiles against, in words ("musl", "mingw-w64")."""
    match target.goos:
        case "linux":
            libc = target.libc or Libc.GNU
            match libc:
                case Libc.GNU:
                    return "glibc"
                case Libc.MUSL:
                    return "musl"
        case "windows":
            return "mingw-w64"
        case "darwin" | "ios":
            return "the macOS libSystem"
        case other:
            return f"the {other} libc"


# --- patterns: each quotes the real message it matches ----------------------------------------

# "# example.com/m/lib" opens go's output for one package.
_PKG_HEADER = re.compile(r"^# (?P<pkg>\S+)")
# A missing header, as clang (zig) words it, file not found, or as gcc does, No such file.
_HEADER = re.compile(
    r"^(?P<file>[^\s:]+):(?P<line>\d+):(?:\d+:)? fatal error: "
    r"(?:'(?P<h1>[^']+)' file not found|(?P<h2>\S+): No such file or directory)"
)
# A missing -lNAME, in the words of zig (unable to find dynamic system library), GNU ld
# (cannot find -lNAME) and ld64 (library not found for -lNAME).
_LIBRARY = re.compile(
    r'unable to find (?:dynamic |static )?system library "(?P<l1>[^"]+)"'
    r"|cannot find -l(?P<l2>\S+)|library not found for -l(?P<l3>\S+)"
)
# zig's Mach-O linker: 'error: unable to find framework "CoreFoundation"' (and ld64's form)
_FRAMEWORK = re.compile(r"(?:unable to find|not found for -?) ?framework[: ]+['\"]?(?P<fw>\w+)")
# "Package foo was not found in the pkg-config search path."
_PKGCONFIG = re.compile(
    r"Package '?(?P<pc>[^' ]+)'? was not found in the pkg-config search path"
    r"|Package '(?P<pc2>[^']+)', required by '[^']+', not found"
)
_PKGCONFIG_TOOL = re.compile(r'exec: "pkg-config": executable file not found')
# An undefined C symbol at link time, in lld's words and in GNU ld's.
_UNDEF_SYMBOL = re.compile(
    r"undefined symbol: (?P<s1>\S+)|undefined reference to [`'](?P<s2>[^'`]+)'"
)
# "package example.com/m\n\timports example.com/m/lib: build constraints exclude all Go
# files in /abs/dir"
_EXCLUDED = re.compile(r"(?:(?P<pkg>\S+): )?build constraints exclude all Go files in (?P<dir>.+)$")
# C files in a package with no cgo file on this target (cmd/go/internal/load).
_C_WITHOUT_CGO = re.compile(
    r"(?:package (?P<pkg>\S+): )?(?P<kind>C|C\+\+|Objective-C|Fortran) source files not "
    r"allowed when not using cgo or SWIG: (?P<files>.+)$"
)
# The type checker's undefined identifier, position first.
_UNDEFINED = re.compile(
    r"^(?:vet: )?(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: undefined: (?P<id>\S+)$"
)
# A body-less function declaration whose assembly is not built for this GOARCH.
_NO_BODY = re.compile(r"^(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: missing function body")
# The Go assembler meeting another architecture's instruction or register.
_ASM = re.compile(
    r"^(?P<file>[^\s:]+\.s):(?P<line>\d+):(?:\d+:)? .*(?:unrecognized instruction|"
    r"illegal instruction|invalid instruction|unknown register|bad register)"
)
# zig refusing a flag it does not implement (unsupported linker arg).
_ZIG_ARG = re.compile(r"unsupported (?:linker|compiler) arg(?:ument)?: (?P<arg>\S+)")
# cmd/link refusing a non-GNU external linker: "ARM64 external linker must be ld.bfd (issue
# #35197), please install devel/binutils" (freebsd/arm64).
_NEEDS_GNU_LD = re.compile(r"external linker must be [^(]*\((?P<issue>issue[^)]*)\)")
# zig's own errors and crashes.
_ZIG_OTHER = re.compile(
    r"^(?:error: unable to (?:create compilation|provide libc|build)|thread \d+ panic:|"
    r"error: unknown target|error: unable to parse target)"
)
# go's cgo flag allow-list refusing a #cgo flag (see go.dev/s/invalidflag).
_BAD_FLAG = re.compile(
    r"(?:(?P<pkg>\S+): )?invalid flag in (?P<where>#cgo \w+|pkg-config --\w+): (?P<flag>\S+)"
)
# clang in a cgo preamble or .c file: "lib/x.go:9:12: error: use of undeclared identifier 'E'"
_C_ERROR = re.compile(
    r"^(?P<file>[^\s:]+\.(?:go|c|h|cc|cpp|cxx|m)):(?P<line>\d+):\d+: error: (?P<msg>.+)$"
)
# Any other positioned Go error: "lib/lib.go:7:14: cannot use x (variable of type int)..."
_GO_ERROR = re.compile(r"^(?:vet: )?(?P<file>[^\s:]+\.go):(?P<line>\d+):\d+: (?P<msg>.+)$")
# Lines that go or the linker print around the real errors; never findings of their own.
_NOISE = re.compile(
    r"^(?:#|\s|\d+ errors? generated|>>>|note:|warning:|collect2:|clang: error: linker "
    r"command failed|.*: running .* failed: exit status|\S+ -m\S* |FAIL\s|ok\s|\?\s)"
)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Context:
    target: Target
    step: Step
    root: Path | None
    package: str = ""
    """The package go's output is about here (its last "# pkg" heading)."""


def _locate(root: Path | None, needle: str) -> tuple[str, int | None]:
    """The first project .go/.c/.h file (and line) containing `needle`, read-only and bounded."""
    if root is None or not needle:
        return "", None
    seen = 0
    for path in sorted(root.rglob("*")):
        if seen >= _MAX_SCAN_FILES:
            break
        rel = path.relative_to(root)
        if any(part.startswith((".", "_")) or part == "vendor" for part in rel.parts[:-1]):
            continue
        if path.suffix not in (".go", ".c", ".h") or not path.is_file():
            continue
        seen += 1
        try:
            text = read_regular(path, _MAX_SCAN_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if needle in line:
                return rel.as_posix(), number
    return "", None


def _header_owners(header: str) -> str:
    """Which C libraries zig ships `header` for, in words ("glibc has it"), from the catalog
    of zig's libc header trees (`cgotrap.judge.headers`)."""
    try:
        libcs = catalog().by_key.values()
    except DataError:
        return "no header catalog to say who has it"
    owners = sorted({lib.label for lib in libcs if lib.has_header(header)})
    if not owners:
        return "no libc ships it: it belongs to another C library, whose headers are needed"
    return f"{', '.join(owners)} {'has' if len(owners) == 1 else 'have'} it"


def _find_file(root: Path | None, name: str) -> str:
    """The project-relative path of the first file called `name` (bounded), else `name`."""
    if root is None:
        return name
    for seen, path in enumerate(sorted(root.rglob(name))):
        if seen >= _MAX_SCAN_FILES:
            break
        if path.is_file():
            return path.relative_to(root).as_posix()
    return name


def _declared_in_cgo_file(root: Path | None, go_file: str, ident: str) -> str:
    """The cgo file (relative path) in `go_file`'s directory that declares `ident`, or ""."""
    if root is None:
        return ""
    directory = (root / go_file).parent
    name = re.escape(ident)
    decl = re.compile(
        rf"^(?:func|type|var|const)\s+(?:\([^)]*\)\s*)?{name}\b|^\s+{name}\s*=", re.MULTILINE
    )
    try:
        candidates = sorted(directory.glob("*.go"))[:_MAX_SCAN_FILES]
    except OSError:
        return ""
    for path in candidates:
        try:
            text = read_regular(path, _MAX_SCAN_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        if re.search(r'^import\s+"C"|^\s+"C"\s*$', text, re.MULTILINE) and decl.search(text):
            return path.relative_to(root).as_posix()
    return ""


def _rel(root: Path | None, file: str) -> str:
    """A path go printed, relative to the project root when it lies inside it."""
    path = Path(file)
    if root is not None and path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return file
    return file.removeprefix("./")


# --- the table --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _Read:
    """What a row read from a matching line."""

    fields: Mapping[str, object]
    """The message's fields (`subject` among them when the rule has one)."""
    file: str = ""
    """Where in the project the failure comes from (relative), "" when not known."""
    line: int | None = None
    """1-based line in `file`."""
    package: str | None = None
    """The package the line names itself, over the `# pkg` heading's (None: the heading's)."""
    context: bool = True
    """Quote the indented lines after the matching one too (the compiler's notes)."""


Reader = Callable[[re.Match[str], _Context], _Read | None]
"""Fields of one row's message from its match; None: not this row after all."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    """One row of the classifier: an output pattern, the rule it raises, how it is worded."""

    pattern: re.Pattern[str]
    """Searched in one output line."""
    rule: Rule
    """The rule a match raises."""
    message: str | None
    """The wording: a variant template of `rule`, or None for the rule's own message."""
    read: Reader
    """The message's fields, file and line from the match (or None to decline)."""


def _at(ctx: _Context, m: re.Match[str]) -> tuple[str, int]:
    return _rel(ctx.root, m.group("file")), int(m.group("line"))


def _apple_header(m: re.Match[str], ctx: _Context) -> _Read | None:
    header = m.group("h1") or m.group("h2")
    if ctx.target.goos not in ("darwin", "ios") or "/" not in header or not header[:1].isupper():
        return None
    file, at = _at(ctx, m)
    return _Read(fields={"subject": header, "framework": header.split("/")[0]}, file=file, line=at)


def _header(m: re.Match[str], ctx: _Context) -> _Read:
    header = m.group("h1") or m.group("h2")
    file, at = _at(ctx, m)
    fields = {
        "subject": header,
        "libc": libc_name(ctx.target),
        "owners": _header_owners(header),
    }
    return _Read(fields=fields, file=file, line=at)


def _located(group_names: str, needle: str = "{}") -> Reader:
    """A reader whose subject is the first non-empty group of `group_names` (space-separated)
    and whose place is the first project line containing `needle` with the subject in it."""

    def read(m: re.Match[str], ctx: _Context) -> _Read:
        subject = next(g for name in group_names.split() if (g := m.group(name)))
        file, at = _locate(ctx.root, needle.format(subject))
        return _Read(fields={"subject": subject}, file=file, line=at)

    return read


def _pkg_config_tool(m: re.Match[str], ctx: _Context) -> _Read:
    file, at = _locate(ctx.root, "#cgo pkg-config:")
    return _Read(fields={}, file=file, line=at)


def _undefined_symbol(m: re.Match[str], ctx: _Context) -> _Read:
    symbol = m.group("s1") or m.group("s2")
    if ctx.target.goos in ("darwin", "ios"):
        symbol = symbol.removeprefix("_")  # Mach-O prefixes C symbols with "_"
    file, at = _locate(ctx.root, symbol)
    return _Read(fields={"subject": symbol}, file=file, line=at)


def _excluded(cgo: bool) -> Reader:
    def read(m: re.Match[str], ctx: _Context) -> _Read | None:
        if ctx.target.cgo is not cgo:
            return None
        pkg = m.group("pkg") or ctx.package
        return _Read(
            fields={"subject": pkg.removeprefix("imports "), "port": ctx.target.port},
            file=_rel(ctx.root, m.group("dir").strip()),
        )

    return read


def _c_without_cgo(m: re.Match[str], ctx: _Context) -> _Read:
    files = m.group("files").strip()
    return _Read(
        fields={"kind": m.group("kind"), "names": files},
        file=_find_file(ctx.root, files.split()[0]),
        package=m.group("pkg"),
        context=False,
    )


def _bad_flag(m: re.Match[str], ctx: _Context) -> _Read:
    flag = m.group("flag")
    file, at = _locate(ctx.root, flag)
    return _Read(
        fields={"subject": flag, "where": m.group("where")},
        file=file,
        line=at,
        package=m.group("pkg"),
        context=False,
    )


def _needs_gnu_ld(m: re.Match[str], ctx: _Context) -> _Read:
    return _Read(fields={"port": ctx.target.port, "issue": m.group("issue")})


def _zig_other(m: re.Match[str], ctx: _Context) -> _Read:
    return _Read(fields={"line": m.string.strip()})


def _cgo_only(m: re.Match[str], ctx: _Context) -> _Read | None:
    ident = m.group("id")
    file, at = _at(ctx, m)
    if ctx.target.cgo or not (cgo_file := _declared_in_cgo_file(ctx.root, file, ident)):
        return None
    return _Read(fields={"subject": ident, "cgo_file": cgo_file}, file=file, line=at)


def _undefined(m: re.Match[str], ctx: _Context) -> _Read:
    file, at = _at(ctx, m)
    return _Read(fields={"ident": m.group("id"), "port": ctx.target.port}, file=file, line=at)


def _positioned(**more: Callable[[re.Match[str], _Context], object]) -> Reader:
    """A reader of a positioned error line: its file and line, and the fields of `more`."""

    def read(m: re.Match[str], ctx: _Context) -> _Read:
        file, at = _at(ctx, m)
        return _Read(fields={k: f(m, ctx) for k, f in more.items()}, file=file, line=at)

    return read


def _in_step(step: Step, reader: Reader) -> Reader:
    def read(m: re.Match[str], ctx: _Context) -> _Read | None:
        return reader(m, ctx) if ctx.step is step else None

    return read


def _goarch(m: re.Match[str], ctx: _Context) -> object:
    return ctx.target.goarch


def _port(m: re.Match[str], ctx: _Context) -> object:
    return ctx.target.port


def _said(m: re.Match[str], ctx: _Context) -> object:
    return m.group("msg").strip()


_APPLE = "build darwin cgo on macOS or give darwin a !cgo fallback"

TABLE: tuple[Row, ...] = (
    Row(
        pattern=_HEADER,
        rule=get("CGO108"),
        message="<{subject}> is part of Apple's {framework} framework, which zig does not "
        f"ship: {_APPLE}",
        read=_apple_header,
    ),
    Row(pattern=_HEADER, rule=get("CGO100"), message=None, read=_header),
    Row(pattern=_FRAMEWORK, rule=get("CGO108"), message=None, read=_located("fw", "-framework {}")),
    Row(pattern=_LIBRARY, rule=get("CGO101"), message=None, read=_located("l1 l2 l3", "-l{}")),
    Row(pattern=_PKGCONFIG, rule=get("CGO102"), message=None, read=_located("pc pc2")),
    Row(
        pattern=_PKGCONFIG_TOOL,
        rule=get("CGO102"),
        message="pkg-config is not installed but a #cgo pkg-config: line needs it: "
        "apt-get install pkg-config",
        read=_pkg_config_tool,
    ),
    Row(pattern=_UNDEF_SYMBOL, rule=get("CGO103"), message=None, read=_undefined_symbol),
    Row(
        pattern=_EXCLUDED,
        rule=get("CGO104"),
        message="package {subject} has no Go file without cgo: add a //go:build !cgo fallback "
        "with the same API",
        read=_excluded(cgo=False),
    ),
    Row(pattern=_EXCLUDED, rule=get("CGO104"), message=None, read=_excluded(cgo=True)),
    Row(pattern=_C_WITHOUT_CGO, rule=get("CGO105"), message=None, read=_c_without_cgo),
    Row(pattern=_BAD_FLAG, rule=get("CGO114"), message=None, read=_bad_flag),
    Row(
        pattern=_ZIG_ARG,
        rule=get("CGO110"),
        message="zig cc rejects the flag {subject}: drop it or constrain it to the GNU "
        "toolchain, or build this target with --cc",
        read=_located("arg"),
    ),
    Row(
        pattern=_NEEDS_GNU_LD,
        rule=get("CGO110"),
        message="the Go linker insists on GNU ld on {port} ({issue}), and zig links with lld: "
        "name a GNU cross toolchain with --cc {port}=...",
        read=_needs_gnu_ld,
    ),
    Row(pattern=_ZIG_OTHER, rule=get("CGO110"), message=None, read=_zig_other),
    Row(pattern=_UNDEFINED, rule=get("CGO106"), message=None, read=_cgo_only),
    Row(
        pattern=_UNDEFINED,
        rule=get("CGO107"),
        message="undefined: {ident} on {port}: it is declared only for other targets (or not "
        "at all); add a definition for this one",
        read=_undefined,
    ),
    Row(pattern=_NO_BODY, rule=get("CGO109"), message=None, read=_positioned(goarch=_goarch)),
    Row(
        pattern=_ASM,
        rule=get("CGO109"),
        message="assembly written for another architecture does not assemble for {goarch}: "
        "name the file _<arch>.s or constrain it",
        read=_positioned(goarch=_goarch),
    ),
    Row(pattern=_C_ERROR, rule=get("CGO116"), message=None, read=_positioned(error=_said)),
    Row(
        pattern=_GO_ERROR,
        rule=get("CGO115"),
        message=None,
        read=_in_step(Step.VET, _positioned(report=_said)),
    ),
    Row(
        pattern=_GO_ERROR,
        rule=get("CGO107"),
        message=None,
        read=_positioned(port=_port, error=_said),
    ),
)
"""The classifier: the first row whose pattern matches a line and whose reader accepts it
names the failure that line starts."""


def _classify_line(line: str, ctx: _Context, lines: Sequence[str], index: int) -> Finding | None:
    """The finding one output line starts, or None."""
    for row in TABLE:
        m = row.pattern.search(line)
        if m is None:
            continue
        read = row.read(m, ctx)
        if read is None:
            continue
        # The error line and the few indented/context lines after it.
        tail = [line]
        for extra in lines[index + 1 : index + 6] if read.context else ():
            if not extra.startswith((" ", "\t", ">>>")):
                break
            tail.append(extra)
        fields = dict(read.fields)
        subject = str(fields.pop("subject", ""))
        return row.rule.finding(
            package=read.package or ctx.package,
            subject=subject,
            targets=(ctx.target,),
            step=ctx.step,
            evidence=(Evidence(file=read.file, line=read.line, text="\n".join(tail)),),
            template=row.message,
            values=fields,
        )
    return None


def classify(output: str, *, target: Target, step: Step, root: Path | None) -> list[Finding]:
    """Every failure in one failing step's output; at least one finding (CGO199 if unknown)."""
    ctx = _Context(target=target, step=step, root=root)
    lines = output.splitlines()
    findings: list[Finding] = []
    for index, line in enumerate(lines):
        if m := _PKG_HEADER.match(line):
            ctx = dataclasses.replace(ctx, package=m.group("pkg"))
            continue
        if not line.strip() or (_NOISE.match(line) and not _EXCLUDED.search(line)):
            continue
        finding = _classify_line(line, ctx, lines, index)
        if finding is not None and finding not in findings:
            findings.append(finding)
        if len(findings) >= _MAX_FINDINGS_PER_STEP:
            break
    if findings:
        return findings
    return [unclassified(output, target=target, step=step, package=ctx.package)]


def evidence(file: str = "", line: int | None = None, text: str = "") -> tuple[Evidence, ...]:
    """The evidence of a matrix finding: one record, or none when there is nothing to show."""
    if not file and line is None and not text:
        return ()
    return (Evidence(file=file, line=line, text=text),)


def unclassified(output: str, *, target: Target, step: Step, package: str = "") -> Finding:
    """The CGO199 finding: the step failed and its whole output is the detail."""
    first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "no output")
    return get("CGO199").finding(
        package=package,
        targets=(target,),
        step=step,
        evidence=evidence(text=output),
        command=step.value,
        first_line=first[:200],
    )


def failed_tests(
    events: Iterable[str], *, target: Target, root: Path | None
) -> tuple[list[Finding], str]:
    """Findings from `go test -json` lines: failed tests (CGO112), and build output text.

    Returns (test-failure findings, the text of every `build-output` event): a test step
    whose packages fail to build is classified from that text like a build.
    """
    findings: list[Finding] = []
    build_output: list[str] = []
    outputs: dict[tuple[str, str], list[str]] = {}
    for raw in events:
        try:
            event = json.loads(raw)
        except ValueError:
            build_output.append(raw)  # go prints some errors (setup) as plain text
            continue
        if not isinstance(event, dict):
            continue
        action = event.get("Action")
        package = str(event.get("Package") or event.get("ImportPath") or "")
        test = str(event.get("Test") or "")
        if action == "build-output":
            build_output.append(str(event.get("Output", "")).rstrip("\n"))
        elif action == "output" and test:
            outputs.setdefault((package, test), []).append(str(event.get("Output", "")))
        elif action == "fail" and test:
            text = outputs.get((package, test), [])
            findings.append(_test_finding(package, test, text, target=target, root=root))
    return findings, "\n".join(build_output)


_TEST_POS = re.compile(r"^\s+(?P<file>[\w.\-]+_test\.go):(?P<line>\d+): (?P<msg>.*)$")


def _test_finding(
    package: str, test: str, output: Sequence[str], *, target: Target, root: Path | None
) -> Finding:
    position = next((m for ln in output if (m := _TEST_POS.match(ln.rstrip("\n")))), None)
    file, line, said = "", None, ""
    if position is not None:
        file = position.group("file")
        line = int(position.group("line"))
        said = position.group("msg").strip()
        file = _find_file(root, file)
    found = get("CGO112").finding(
        package=package,
        subject=test,
        targets=(target,),
        step=Step.TEST,
        evidence=evidence(file, line, "".join(output).rstrip("\n")),
        said=f": {said}" if said else "",
    )
    return dataclasses.replace(found, message=found.message[:300])
