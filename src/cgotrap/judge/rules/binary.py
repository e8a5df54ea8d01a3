"""Rules of the binary area (see the ID ranges in `cgotrap.judge.rules`).

`cgotrap inspect` reports these. Each docstring is the rule's user documentation: a one-line
summary, "Why it breaks:", "How to fix:" and "Example:". IDs are stable: a retired rule keeps
its number, a new meaning gets a new one.

`check_release` runs the artifact-set rules (CGO210-CGO215) over the binaries of one
release: it flags the odd one out, so most binaries agreeing is what makes one suspicious.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from cgotrap.judge.finding import Finding
from cgotrap.judge.rules import Severity, get, rule

if TYPE_CHECKING:
    # Only annotations: loading the registry (`scan` validates its directives' rule IDs
    # against it) does not load the binary readers (~5 ms of class creation).
    from cgotrap.read.binary import Inspected


@rule(
    "CGO200",
    "unreadable-binary",
    Severity.ERROR,
    message="{error}",
    subject="binary",
)
def unreadable_binary() -> None:
    """A file named as a binary could not be read as ELF, Mach-O or PE.

    Why it breaks: the file is truncated, corrupted, or not an executable at all, so nothing
    about where it runs can be said, and the release most likely ships a broken artifact.

    How to fix: rebuild the artifact; check the upload/download step that produced it (an
    HTML error page saved under the binary's name is a classic).

    Example: `dist/app_linux_amd64/app: corrupt ELF: ...`.

    Added in 0.1.0.
    """


@rule(
    "CGO201",
    "policy-violation",
    Severity.ERROR,
    message="{policy}: {reasons}",
    subject="binary",
)
def policy_violation() -> None:
    """A Linux binary violates the policy given with `--policy` (static, glibc<=X, musl).

    Why it breaks: a binary that needs a newer glibc than the oldest system you support
    fails at start with "version `GLIBC_2.34' not found"; a dynamic binary in a
    `FROM scratch` image fails with "no such file or directory" (its loader is missing).

    How to fix: build with CGO_ENABLED=0 when cgo is not needed; otherwise pin the glibc
    version you link against (`zig cc -target x86_64-linux-gnu.2.17`), build on the oldest
    supported system, or link statically against musl.

    Example: `cgotrap inspect --policy 'glibc<=2.17' dist/app` -> "needs GLIBC_2.34
    (pthread_create@GLIBC_2.34), policy allows 2.17".

    Added in 0.1.0.
    """


@rule(
    "CGO210",
    "inconsistent-cgo",
    Severity.WARNING,
    message="CGO_ENABLED {value}, while {count} other binaries have {majority}",
    subject="binary",
)
def inconsistent_cgo() -> None:
    """One binary of a release was built with a different CGO_ENABLED than the others.

    Why it breaks: the odd one behaves differently (the cgo DNS resolver and os/user, or a
    pure-Go stub standing in for a cgo library), links against the build machine's libc and
    may not start where its siblings do. Usually a native build picked up CGO_ENABLED=1
    while the cross builds defaulted to 0.

    How to fix: set CGO_ENABLED explicitly for every target in the release configuration
    (goreleaser `env: [CGO_ENABLED=0]`).

    Example: app_linux_amd64 has CGO_ENABLED=1 while 5 other binaries have CGO_ENABLED=0.

    Added in 0.1.0.
    """


@rule(
    "CGO211",
    "inconsistent-go-version",
    Severity.WARNING,
    message="Go version {value}, while {count} other binaries have {majority}",
    subject="binary",
)
def inconsistent_go_version() -> None:
    """One binary of a release was built with a different Go version than the others.

    Why it breaks: different Go versions carry different security fixes, minimum OS
    versions and GODEBUG defaults; the release is not what its notes say it is.

    How to fix: build every target in one job with one toolchain (`GOTOOLCHAIN=local`, a
    pinned `go` directive/toolchain line).

    Example: app_darwin_arm64 is go1.22.1 while the others are go1.22.5.

    Added in 0.1.0.
    """


@rule(
    "CGO212",
    "inconsistent-build-flags",
    Severity.WARNING,
    message="{setting} {value}, while {count} other binaries have {majority}",
    subject="binary",
)
def inconsistent_build_flags() -> None:
    """One binary of a release was built with different -tags or -trimpath than the others.

    Why it breaks: build tags select different code (a `netgo`/`osusergo` tag missing on one
    target brings cgo back; a feature tag missing drops a feature); a binary without
    -trimpath leaks the build machine's paths and is not reproducible.

    How to fix: give every target the same `flags`/`tags` in the release configuration.

    Example: app_windows_amd64.exe has -tags=netgo,osusergo; the others have none.

    Added in 0.1.0.
    """


@rule(
    "CGO213",
    "dynamic-among-static",
    Severity.WARNING,
    message="dynamically linked, while {count} other Linux binaries are static",
    subject="binary",
)
def dynamic_among_static() -> None:
    """One Linux binary of a release is dynamically linked while the others are static.

    Why it breaks: the static binaries run in scratch and distroless/static images and on
    any libc; the dynamic one needs the loader and libc it was linked against and fails in
    those images with a confusing "no such file or directory".

    A static binary among dynamic ones is not flagged: it runs wherever they do.

    How to fix: build it with CGO_ENABLED=0, or link it statically
    (`-ldflags '-linkmode external -extldflags -static'`, musl).

    Example: app_linux_arm64 needs /lib/ld-linux-aarch64.so.1; 4 other Linux binaries are
    static.

    Added in 0.1.0.
    """


@rule(
    "CGO214",
    "inconsistent-revision",
    Severity.WARNING,
    message="revision {value}, while {count} other binaries have {majority}",
    subject="binary",
)
def inconsistent_revision() -> None:
    """One binary of a release was built from a different VCS revision or main module version.

    Why it breaks: the release mixes code from two commits (a stale artifact from an older
    build left in the output directory, or a cache restored from another branch).

    How to fix: clean the output directory before a release build and build all targets
    from one checkout.

    Example: app_linux_amd64 has vcs.revision=1a2b3c..., the others 9f8e7d....

    Added in 0.1.0.
    """


@rule(
    "CGO215",
    "cgo-without-build-info",
    Severity.NOTE,
    message="cgo linked in ({sign}), no Go build info",
    subject="binary",
)
def cgo_without_build_info() -> None:
    """A binary links runtime/cgo, but it has no Go build info to say so.

    Why it breaks: nothing breaks by itself, but tools that read the build info (`go version
    -m`, vulnerability scanners, SBOM generators) cannot see how it was built; cgotrap found
    runtime/cgo by its symbols (x_cgo_init) or function names.

    How to fix: do not strip the `.go.buildinfo` section; if a linker moved it
    (golang/go#54947), keep it or check with `cgotrap inspect`.

    Example: `app: cgo linked in (symbol x_cgo_init in .dynstr), no Go build info`.

    Added in 0.1.0.
    """


# The "value" of a build setting a release's binaries should agree on; None = not comparable.
Fact = Callable[["Inspected"], str | None]


def _setting(key: str) -> Fact:
    def fact(binary: Inspected) -> str | None:
        if binary.build_info is None:
            return None
        return binary.build_info.setting(key) or ""

    return fact


def _go_version(binary: Inspected) -> str | None:
    return binary.build_info.go_version if binary.build_info is not None else None


def _cgo(binary: Inspected) -> str | None:
    """ "1" when cgo is linked in. A binary built with CGO_ENABLED=1 whose program imports no
    cgo package has no runtime/cgo: it is a pure-Go binary like its CGO_ENABLED=0 siblings,
    whatever its build settings say."""
    cgo = binary.cgo
    if cgo is None:
        return None
    if cgo and binary.linkage is not None and not binary.linkage.cgo_evidence:
        return "0"
    return "1" if cgo else "0"


def _revision(binary: Inspected) -> str | None:
    info = binary.build_info
    if info is None:
        return None
    revision = info.setting("vcs.revision")
    if revision:
        return revision
    return info.main.version if info.main is not None and info.main.version != "(devel)" else None


def _linux_static(binary: Inspected) -> str | None:
    linkage = binary.linkage
    if linkage is None or binary.goos not in ("linux", ""):
        return None
    if linkage.format.value != "elf":
        return None
    return "static" if linkage.static else "dynamic"


def _odd_ones(binaries: Sequence[Inspected], fact: Fact) -> list[tuple[Inspected, str, str, int]]:
    """(binary, its value, the majority value, how many have it) for each minority binary.

    Only a strict majority makes an odd one out: a 50/50 split flags nothing.
    """
    values = [(b, fact(b)) for b in binaries]
    known = [(b, v) for b, v in values if v is not None]
    counts = collections.Counter(v for _, v in known)
    if len(counts) < 2:
        return []
    majority, count = counts.most_common(1)[0]
    if count * 2 <= len(known):
        return []
    return [(b, v, majority, count) for b, v in known if v != majority]


def _show(value: str) -> str:
    return value or "none"


def check_release(binaries: Sequence[Inspected]) -> tuple[Finding, ...]:
    """The odd-one-out findings over the binaries of one release (CGO210-CGO215), and
    CGO200 for each file that could not be read; each finding's subject is the binary."""
    findings: list[Finding] = []
    checks: tuple[tuple[str, Fact, str], ...] = (
        ("CGO210", _cgo, "CGO_ENABLED"),
        ("CGO211", _go_version, "Go version"),
        ("CGO212", _setting("-tags"), "-tags"),
        ("CGO212", _setting("-trimpath"), "-trimpath"),
        ("CGO213", _linux_static, "Linux linkage"),
        ("CGO214", _revision, "revision"),
    )
    readable = [b for b in binaries if b.linkage is not None]
    for rule_id, fact, label in checks:
        for binary, value, majority, count in _odd_ones(readable, fact):
            if rule_id == "CGO213" and value != "dynamic":
                continue  # a static one among dynamic ones runs wherever they do
            findings.append(
                get(rule_id).finding(
                    subject=binary.name,
                    setting=label,
                    value=_show(value),
                    count=count,
                    majority=_show(majority),
                )
            )
    for binary in readable:
        if binary.build_info is None and binary.linkage is not None:
            evidence = binary.linkage.cgo_evidence
            if evidence:
                findings.append(get("CGO215").finding(subject=binary.name, sign=evidence[0]))
    findings.extend(
        get("CGO200").finding(subject=binary.name, error=binary.error)
        for binary in binaries
        if binary.linkage is None
    )
    return tuple(findings)
