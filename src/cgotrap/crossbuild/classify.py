"""Compiler, linker, vet and test output -> findings with stable rule IDs (CGO100-CGO199).

`classify(output, ...)` reads what go (and, through it, cgo, zig, lld, the Go assembler)
printed for one failing step of one target and names every failure in it. Each pattern
below quotes the real message it matches; output that matches none becomes one CGO199
finding carrying the whole output, so nothing is dropped.

Messages are target-neutral where the cause is (so identical findings group across
targets: `group`), and say what to do in one line.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from cgotrap.errors import DataError
from cgotrap.judge.headers import catalog
from cgotrap.targets import Libc, Target

_MAX_FINDINGS_PER_STEP = 20
"""A broken tree can print thousands of errors; the rest stay in the step's log."""
_MAX_SCAN_FILES = 2000
"""Bound on project files read to locate a name (`#cgo LDFLAGS: -lpcap`)."""
_MAX_SCAN_BYTES = 1 << 20


class Step(enum.StrEnum):
    """One go command run per target."""

    BUILD = "build"
    VET = "vet"
    TEST = "test"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One classified failure of one step on one target."""

    rule_id: str
    """The rule ("CGO100"); its documentation is in `cgotrap.judge.rules.build`."""
    target: str
    """`Target.name` of the target it happened on ("linux/amd64-musl cgo=1")."""
    step: Step
    """The step whose output it came from."""
    message: str
    """One line: what failed and the fix ("C header <pcap.h> not found in musl's headers...")."""
    package: str = ""
    """Import path of the failing package, when go names it."""
    file: str = ""
    """File relative to the project root (or as go printed it), when known."""
    line: int | None = None
    """1-based line in `file`, when known."""
    detail: str = ""
    """The output lines the finding was read from (the whole output for CGO199)."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class FindingGroup:
    """Identical findings on several targets, reported once."""

    rule_id: str
    """The rule."""
    step: Step
    """The step."""
    message: str
    """The shared one-line message."""
    package: str
    """Package import path or ""."""
    file: str
    """File or ""."""
    line: int | None
    """Line or None."""
    targets: tuple[str, ...]
    """Every target name it happened on, in run order."""
    detail: str
    """The detail of the first occurrence."""


def group(findings: Iterable[Finding]) -> tuple[FindingGroup, ...]:
    """Merge findings that differ only in their target, first-seen order."""
    merged: dict[tuple[str, Step, str, str, str, int | None], list[Finding]] = {}
    for finding in findings:
        key = (
            finding.rule_id,
            finding.step,
            finding.message,
            finding.package,
            finding.file,
            finding.line,
        )
        merged.setdefault(key, []).append(finding)
    out = []
    for (rule_id, step, message, package, file, line), same in merged.items():
        targets = tuple(dict.fromkeys(f.target for f in same))
        out.append(
            FindingGroup(
                rule_id=rule_id,
                step=step,
                message=message,
                package=package,
                file=file,
                line=line,
                targets=targets,
                detail=same[0].detail,
            )
        )
    return tuple(out)


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
            with path.open("rb") as f:
                text = f.read(_MAX_SCAN_BYTES).decode("utf-8", "replace")
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
            text = path.read_bytes()[:_MAX_SCAN_BYTES].decode("utf-8", "replace")
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


def _classify_line(
    line: str, package: str, ctx: _Context, lines: Sequence[str], index: int
) -> Finding | None:
    """The finding one output line starts, or None."""
    target, step = ctx.target, ctx.step
    name = target.name

    def make(rule_id: str, message: str, *, file: str = "", at: int | None = None) -> Finding:
        # The error line and the few indented/context lines after it.
        tail = [line]
        for extra in lines[index + 1 : index + 6]:
            if not extra.startswith((" ", "\t", ">>>")):
                break
            tail.append(extra)
        return Finding(
            rule_id=rule_id,
            target=name,
            step=step,
            message=message,
            package=package,
            file=file,
            line=at,
            detail="\n".join(tail),
        )

    if m := _HEADER.search(line):
        header = m.group("h1") or m.group("h2")
        file = _rel(ctx.root, m.group("file"))
        if target.goos in ("darwin", "ios") and "/" in header and header[:1].isupper():
            framework = header.split("/")[0]
            return make(
                "CGO108",
                f"<{header}> is part of Apple's {framework} framework, which zig does not "
                "ship: build darwin cgo on macOS or give darwin a !cgo fallback",
                file=file,
                at=int(m.group("line")),
            )
        return make(
            "CGO100",
            f"C header <{header}> is not in {libc_name(target)}'s headers for this target "
            f"({_header_owners(header)}): guard the cgo file with a build constraint and add "
            "a fallback, or provide the header",
            file=file,
            at=int(m.group("line")),
        )
    if m := _FRAMEWORK.search(line):
        framework = m.group("fw")
        file, at = _locate(ctx.root, f"-framework {framework}")
        return make(
            "CGO108",
            f"macOS framework {framework} is not available to the cross linker: build darwin "
            "cgo on macOS or give darwin a !cgo fallback",
            file=file,
            at=at,
        )
    if m := _LIBRARY.search(line):
        lib = m.group("l1") or m.group("l2") or m.group("l3")
        file, at = _locate(ctx.root, f"-l{lib}")
        return make(
            "CGO101",
            f"C library -l{lib} not found for this target: provide lib{lib} built for it "
            "(#cgo LDFLAGS: -L...) or make the binding optional behind a build constraint",
            file=file,
            at=at,
        )
    if m := _PKGCONFIG.search(line):
        pc = m.group("pc") or m.group("pc2")
        file, at = _locate(ctx.root, pc)
        return make(
            "CGO102",
            f"pkg-config package {pc} not found: install its development files for this "
            "target or set PKG_CONFIG_PATH",
            file=file,
            at=at,
        )
    if _PKGCONFIG_TOOL.search(line):
        file, at = _locate(ctx.root, "#cgo pkg-config:")
        return make(
            "CGO102",
            "pkg-config is not installed but a #cgo pkg-config: line needs it: "
            "apt-get install pkg-config",
            file=file,
            at=at,
        )
    if m := _UNDEF_SYMBOL.search(line):
        symbol = m.group("s1") or m.group("s2")
        if target.goos in ("darwin", "ios"):
            symbol = symbol.removeprefix("_")  # Mach-O prefixes C symbols with "_"
        file, at = _locate(ctx.root, symbol)
        return make(
            "CGO103",
            f"C symbol {symbol} is used but defined nowhere on the link line: add the "
            "library or .c file that defines it",
            file=file,
            at=at,
        )
    if m := _EXCLUDED.search(line):
        directory = _rel(ctx.root, m.group("dir").strip())
        pkg = m.group("pkg") or package
        if pkg.startswith("imports "):
            pkg = pkg.removeprefix("imports ")
        if not target.cgo:
            message = (
                f"package {pkg} has no Go file without cgo: add a //go:build !cgo fallback "
                "with the same API"
            )
        else:
            message = (
                f"no Go file of package {pkg} is built for {target.port}: add a file for "
                "this platform or constrain the importer"
            )
        return make("CGO104", message, file=directory)
    if m := _C_WITHOUT_CGO.search(line):
        files = m.group("files").strip()
        pkg = m.group("pkg") or package
        return Finding(
            rule_id="CGO105",
            target=name,
            step=step,
            message=(
                f"{m.group('kind')} files ({files}) of {pkg} stay on this target but no cgo "
                "file does: give them the cgo file's build constraint"
            ),
            package=pkg,
            file=_find_file(ctx.root, files.split()[0]),
            detail=line,
        )
    if m := _BAD_FLAG.search(line):
        flag = m.group("flag")
        file, at = _locate(ctx.root, flag)
        return Finding(
            rule_id="CGO114",
            target=name,
            step=step,
            message=(
                f"go refuses the flag {flag} in {m.group('where')}: use an allowed flag or "
                "set CGO_LDFLAGS_ALLOW/CGO_CFLAGS_ALLOW"
            ),
            package=m.group("pkg") or package,
            file=file,
            line=at,
            detail=line,
        )
    if m := _ZIG_ARG.search(line):
        arg = m.group("arg")
        file, at = _locate(ctx.root, arg)
        return make(
            "CGO110",
            f"zig cc rejects the flag {arg}: drop it or constrain it to the GNU toolchain, "
            "or build this target with --cc",
            file=file,
            at=at,
        )
    if m := _NEEDS_GNU_LD.search(line):
        return make(
            "CGO110",
            f"the Go linker insists on GNU ld on {target.port} ({m.group('issue')}), and "
            f"zig links with lld: name a GNU cross toolchain with --cc {target.port}=...",
        )
    if _ZIG_OTHER.search(line):
        return make("CGO110", f"zig failed: {line.strip()}")
    if m := _UNDEFINED.search(line):
        ident = m.group("id")
        file = _rel(ctx.root, m.group("file"))
        if not target.cgo and (cgo_file := _declared_in_cgo_file(ctx.root, file, ident)):
            return make(
                "CGO106",
                f"{ident} is declared only in the cgo file {cgo_file}, which CGO_ENABLED=0 "
                'drops: declare it in a file without import "C" or add a !cgo definition',
                file=file,
                at=int(m.group("line")),
            )
        return make(
            "CGO107",
            f"undefined: {ident} on {target.port}: it is declared only for other targets "
            "(or not at all); add a definition for this one",
            file=file,
            at=int(m.group("line")),
        )
    if m := _NO_BODY.search(line):
        return make(
            "CGO109",
            f"a function has no Go body and no assembly for {target.goarch}: add a pure-Go "
            f"fallback under //go:build !<arch> or assembly for {target.goarch}",
            file=_rel(ctx.root, m.group("file")),
            at=int(m.group("line")),
        )
    if m := _ASM.search(line):
        return make(
            "CGO109",
            f"assembly written for another architecture does not assemble for "
            f"{target.goarch}: name the file _<arch>.s or constrain it",
            file=_rel(ctx.root, m.group("file")),
            at=int(m.group("line")),
        )
    if m := _C_ERROR.search(line):
        return make(
            "CGO116",
            f"C does not compile for this target: {m.group('msg').strip()}",
            file=_rel(ctx.root, m.group("file")),
            at=int(m.group("line")),
        )
    if m := _GO_ERROR.search(line):
        rule_id = "CGO115" if step is Step.VET else "CGO107"
        return make(
            rule_id,
            m.group("msg").strip()
            if rule_id == "CGO115"
            else f"Go does not compile for {target.port}: {m.group('msg').strip()}",
            file=_rel(ctx.root, m.group("file")),
            at=int(m.group("line")),
        )
    return None


def classify(output: str, *, target: Target, step: Step, root: Path | None) -> list[Finding]:
    """Every failure in one failing step's output; at least one finding (CGO199 if unknown)."""
    ctx = _Context(target=target, step=step, root=root)
    lines = output.splitlines()
    findings: list[Finding] = []
    package = ""
    for index, line in enumerate(lines):
        if m := _PKG_HEADER.match(line):
            package = m.group("pkg")
            continue
        if not line.strip() or (_NOISE.match(line) and not _EXCLUDED.search(line)):
            continue
        finding = _classify_line(line, package, ctx, lines, index)
        if finding is not None and finding not in findings:
            findings.append(finding)
        if len(findings) >= _MAX_FINDINGS_PER_STEP:
            break
    if findings:
        return findings
    return [unclassified(output, target=target, step=step, package=package)]


def unclassified(output: str, *, target: Target, step: Step, package: str = "") -> Finding:
    """The CGO199 finding: the step failed and its whole output is the detail."""
    first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "no output")
    return Finding(
        rule_id="CGO199",
        target=target.name,
        step=step,
        message=f"{step.value} failed: {first[:200]}",
        package=package,
        detail=output,
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
    message = f"{test} failed" + (f": {said}" if said else "")
    return Finding(
        rule_id="CGO112",
        target=target.name,
        step=Step.TEST,
        message=message[:300],
        package=package,
        file=file,
        line=line,
        detail="".join(output).rstrip("\n"),
    )
