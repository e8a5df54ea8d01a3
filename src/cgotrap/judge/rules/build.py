"""Rules of the build area (see the ID ranges in `cgotrap.judge.rules`).

Every failure `cgotrap matrix` sees while really building, vetting and testing a target is
classified into one of these by the table of `cgotrap.judge.buildfail`; what matches none is
reported whole as CGO199, never dropped.
"""

from __future__ import annotations

from cgotrap.judge.rules import Severity, rule


@rule(
    "CGO100",
    "missing-c-header",
    Severity.ERROR,
    message=(
        "C header <{subject}> is not in {libc}'s headers for this target ({owners}): "
        "guard the cgo file with a build constraint and add a fallback, or provide the "
        "header"
    ),
    subject="header",
)
def _() -> None:
    """A C header included by cgo code does not exist for this target's C library.

    Why it breaks: each target compiles cgo against its own libc headers (glibc, musl,
    mingw-w64, the macOS libSystem headers, the BSD libcs). A header of one libc
    (`<gnu/libc-version.h>` is glibc's, `<sys/epoll.h>` Linux's) or of a third-party
    library (`<pcap.h>`) is simply absent elsewhere.

    How to fix: guard the cgo file with a build constraint naming the platforms that have
    the header (`//go:build cgo && linux && !musl` is not a tag: use a separate file per OS
    and a `//go:build !cgo` fallback), or install the library's headers for that target
    and point `#cgo CFLAGS: -I...` at them.

    Example::

        /*
        #include <gnu/libc-version.h>   // fatal error on linux/amd64-musl
        */
        import "C"
    """


@rule(
    "CGO101",
    "missing-c-library",
    Severity.ERROR,
    message=(
        "C library -l{subject} not found for this target: provide lib{subject} built for "
        "it (#cgo LDFLAGS: -L...) or make the binding optional behind a build constraint"
    ),
    subject="library",
)
def _() -> None:
    """The linker cannot find a C library named by `#cgo LDFLAGS: -lNAME` for this target.

    Why it breaks: `-lpcap` needs libpcap built for the target's OS, architecture and libc;
    a cross toolchain has only its libc. zig reports "unable to find dynamic system library
    "pcap"", GNU ld "cannot find -lpcap".

    How to fix: provide the library for the target (a sysroot, `#cgo LDFLAGS: -L...`), or
    make the dependency optional: a `//go:build cgo && linux` file with the binding and a
    `//go:build !cgo || !linux` fallback with the same API.

    Example::

        // #cgo LDFLAGS: -lpcap
        import "C"
    """


@rule(
    "CGO102",
    "pkg-config-missing",
    Severity.ERROR,
    message=(
        "pkg-config package {subject} not found: install its development files for this "
        "target or set PKG_CONFIG_PATH"
    ),
    subject="pkg-config package",
)
def _() -> None:
    """A `#cgo pkg-config:` package is not found, or pkg-config itself is not installed.

    Why it breaks: go runs `pkg-config --cflags --libs NAME` before compiling cgo; the
    package's `.pc` file must exist for the target (cross builds need
    `PKG_CONFIG_PATH`/`PKG_CONFIG_SYSROOT_DIR` pointing at the target's files).

    How to fix: install the package's development files (and pkg-config:
    `apt-get install pkg-config`), or set PKG_CONFIG_PATH for the target.

    Example::

        // #cgo pkg-config: libsystemd
        import "C"
    """


@rule(
    "CGO103",
    "undefined-c-symbol",
    Severity.ERROR,
    message=(
        "C symbol {subject} is used but defined nowhere on the link line: add the "
        "library or .c file that defines it"
    ),
    subject="C symbol",
)
def _() -> None:
    """A C function or variable is declared and used but defined nowhere the linker looks.

    Why it breaks: a cgo preamble may declare `int f(void);` and call it; the definition
    must come from a `.c` file of the package or a library on the link line. The link step
    ("undefined symbol: f", "undefined reference to `f'") fails on every target where the
    definition is missing.

    How to fix: add the library that defines the symbol to `#cgo LDFLAGS`, add the `.c`
    file, or guard the call for the targets that have it.

    Example::

        // int never_defined(void);
        import "C"
        var _ = C.never_defined()
    """


@rule(
    "CGO104",
    "no-go-files-for-target",
    Severity.ERROR,
    message=(
        "no Go file of package {subject} is built for {port}: add a file for this "
        "platform or constrain the importer"
    ),
    subject="package",
)
def _() -> None:
    """A package has no Go file left for this target ("build constraints exclude all Go files").

    Why it breaks: with CGO_ENABLED=0 every file that says `import "C"` is dropped; a
    package made only of cgo files (or only of `_linux.go` files on Windows) has nothing
    left, and every importer fails.

    How to fix: add a fallback file with the same API under the opposite constraint
    (`//go:build !cgo`, or `//go:build !linux`), or constrain the importer.

    Example::

        lib/lib.go        import "C"   (the only file)
        CGO_ENABLED=0 go build ./...   -> build constraints exclude all Go files in lib
    """


@rule(
    "CGO105",
    "c-files-without-cgo",
    Severity.ERROR,
    message=(
        "{kind} files ({names}) of {package} stay on this target but no cgo file does: "
        "give them the cgo file's build constraint"
    ),
)
def _() -> None:
    """A package keeps `.c` files on a target where none of its Go files uses cgo.

    Why it breaks: the gc toolchain compiles C files only for packages with cgo (or SWIG)
    files; when the cgo file is constrained away (`//go:build linux`) but the `.c` file is
    not, go refuses the package: "C source files not allowed when not using cgo or SWIG".

    How to fix: give the `.c` file the same constraint as the cgo file (a `//go:build`
    line works in C files too, or a `_linux.c` name).

    Example::

        lib_linux.go  //go:build linux  + import "C"
        answer.c      (no constraint)   -> fails on windows with CGO_ENABLED=1
    """


@rule(
    "CGO106",
    "cgo-only-identifier",
    Severity.ERROR,
    message=(
        "{subject} is declared only in the cgo file {cgo_file}, which CGO_ENABLED=0 "
        'drops: declare it in a file without import "C" or add a !cgo definition'
    ),
    subject="identifier",
)
def _() -> None:
    """With CGO_ENABLED=0, Go code uses an identifier that only a cgo file declares.

    Why it breaks: files that import "C" are dropped when cgo is off, and every
    declaration in them goes too; unconstrained code that uses one fails with
    "undefined: NAME".

    How to fix: move the declaration to an unconstrained file, or give it a pure-Go
    definition in a `//go:build !cgo` file.

    Example::

        helper_cgo.go   import "C"; func helper() int { ... }
        lib.go          func Answer() int { return helper() }  // undefined: helper
    """


@rule(
    "CGO107",
    "go-compile-error",
    Severity.ERROR,
    message="Go does not compile for {port}: {error}",
)
def _() -> None:
    """Go code does not compile for this target (an error of the Go compiler or type checker).

    Why it breaks: platform-specific APIs (`syscall.Kill` on Windows, `unix.EPOLLIN` on
    darwin) or declarations that live in files constrained to other platforms.

    How to fix: move the platform-specific code behind build constraints with a fallback
    for the other targets.

    Example::

        syscall.Kill(pid, syscall.SIGTERM)   // undefined: syscall.Kill on windows
    """


@rule(
    "CGO108",
    "macos-sdk-missing",
    Severity.ERROR,
    message=(
        "macOS framework {subject} is not available to the cross linker: build darwin "
        "cgo on macOS or give darwin a !cgo fallback"
    ),
    subject="framework",
)
def _() -> None:
    """cgo code for darwin needs a macOS SDK framework that the cross toolchain lacks.

    Why it breaks: `zig cc` brings libSystem's headers and stubs for macOS, not Apple's
    frameworks (CoreFoundation, Security, IOKit...): `#include <CoreFoundation/...>` or
    `-framework X` fails when cross-compiling from Linux.

    How to fix: build darwin cgo on macOS (or with an SDK via `--cc darwin/arm64=...`
    pointing at a compiler with `-isysroot`), or give darwin a pure-Go fallback.

    Example::

        // #cgo LDFLAGS: -framework CoreFoundation
        // #include <CoreFoundation/CoreFoundation.h>
        import "C"
    """


@rule(
    "CGO109",
    "arch-specific-code-missing",
    Severity.ERROR,
    message=(
        "a function has no Go body and no assembly for {goarch}: add a pure-Go fallback "
        "under //go:build !<arch> or assembly for {goarch}"
    ),
)
def _() -> None:
    """Code exists only for some architectures: a Go function has no body, or assembly is foreign.

    Why it breaks: `func add(a, b int) int` without a body needs an assembly file for the
    target's GOARCH (`add_amd64.s` covers amd64 only: "missing function body" elsewhere),
    and assembly written for one architecture does not assemble for another
    ("unrecognized instruction").

    How to fix: add a pure-Go implementation under `//go:build !amd64` (and keep the
    declaration in a `//go:build amd64` file), or name the assembly file per GOARCH.

    Example::

        add.go        func add(a, b int) int   // no body
        add_amd64.s   TEXT ·add(SB) ...        -> linux/arm64: missing function body
    """


@rule(
    "CGO110",
    "zig-failure",
    Severity.ERROR,
    message="zig failed: {line}",
)
def _() -> None:
    """`zig cc` itself refused the build: a flag its linker does not take, or a zig error.

    Why it breaks: zig's clang and linkers (lld, its own Mach-O and COFF linkers) take most
    but not all GNU flags: `-Wl,--warn-common`, `-Wl,--push-state` and others are
    "unsupported linker arg". cgotrap's CC wrapper already smooths the flags Go itself
    passes (see `cgotrap.crossbuild.zigcc`); this one comes from the project (or the user's
    CGO_LDFLAGS).

    How to fix: drop or constrain the flag (`#cgo linux LDFLAGS:` only where the GNU
    toolchain builds), or build that target with another C compiler
    (`--cc linux/amd64=gcc`).

    Example::

        // #cgo LDFLAGS: -Wl,--warn-common
        -> error: unsupported linker arg: --warn-common
    """


@rule(
    "CGO111",
    "timeout",
    Severity.ERROR,
    message=(
        "{what} did not finish within {limit} and was stopped with all its processes: "
        "raise --timeout or fix what hangs"
    ),
)
def _() -> None:
    """A target's build, vet or test did not finish within `--timeout` seconds; it was stopped.

    Why it breaks: a test that hangs (waits for input, a network, a lock), or a first
    cross-build that compiles a libc and the standard library is slower than the limit.

    How to fix: raise `--timeout`, or make the test finish (use `-short`, a context with a
    deadline). Every process of the target was killed; none is left running.

    Example::

        cgotrap matrix --test --timeout 5   # a test that sleeps 300 s
    """


@rule(
    "CGO112",
    "test-failure",
    Severity.ERROR,
    message="{subject} failed{said}",
    subject="test",
)
def _() -> None:
    """A test compiled and ran on this target, and failed (a test failure, not a build failure).

    Why it breaks: behaviour differs between targets (byte order, word size, libc
    behaviour, path separators), or the test is wrong everywhere.

    How to fix: read the test's output (in the per-target log); run it with
    `go test -exec qemu-aarch64` (foreign Linux architectures) to reproduce.

    Example::

        lib_test.go:7: Answer() = 41, want 42
    """


@rule(
    "CGO113",
    "tests-not-run",
    Severity.NOTE,
    message="{reason}",
)
def _() -> None:
    """The tests were compiled for this target but could not be run here.

    Why it happens: test binaries for Windows, macOS and the BSDs cannot run on a Linux
    host; foreign Linux architectures need qemu-user (Debian package `qemu-user`), and a
    cgo test binary linked against a dynamic glibc needs that architecture's glibc (cgo
    tests run under qemu on the `-musl` targets, which zig links statically).

    How to fix: `apt-get install qemu-user`, use `linux/ARCH-musl` targets for cgo tests,
    or run the compiled binaries (kept in the results folder) on the target.

    Example::

        cgotrap matrix --test --targets windows/amd64   # compiled, not run
    """


@rule(
    "CGO114",
    "cgo-flag-not-allowed",
    Severity.ERROR,
    message=(
        "go refuses the flag {subject} in {where}: use an allowed flag or set "
        "CGO_LDFLAGS_ALLOW/CGO_CFLAGS_ALLOW"
    ),
    subject="flag",
)
def _() -> None:
    """A `#cgo` directive uses a flag that go's security allow-list refuses.

    Why it breaks: go accepts only known-safe compiler and linker flags in `#cgo` lines
    ("invalid flag in #cgo LDFLAGS: ..."); anything else needs the user to opt in with
    CGO_LDFLAGS_ALLOW / CGO_CFLAGS_ALLOW.

    How to fix: use an allowed spelling of the flag, move it to the environment
    (CGO_LDFLAGS), or document the `CGO_*_ALLOW` regexp users must set.

    Example::

        // #cgo LDFLAGS: -Wl,--some-unusual-flag
    """


@rule(
    "CGO115",
    "vet-report",
    Severity.WARNING,
    message="{report}",
)
def _() -> None:
    """`go vet` reports a problem on this target.

    Why it matters: vet's checks (printf verbs, struct tags, copied locks, unsafe pointer
    use in cgo calls) find bugs the compiler accepts; some only show on targets whose
    files differ.

    How to fix: as vet says; the report names the file and line.

    Example::

        fmt.Printf("%d\\n", "forty-two")   // format %d has arg of wrong type string
    """


@rule(
    "CGO116",
    "c-compile-error",
    Severity.ERROR,
    message="C does not compile for this target: {error}",
)
def _() -> None:
    """C code (a cgo preamble or a `.c` file) does not compile for this target.

    Why it breaks: C that depends on one platform's declarations (an undeclared
    identifier, a missing struct member, a type of another size) fails on the others.

    How to fix: guard the platform-specific C with `#ifdef`/build constraints, or use a
    portable API.

    Example::

        // int x = EPOLLIN;   error: use of undeclared identifier 'EPOLLIN' (darwin)
    """


@rule(
    "CGO117",
    "no-cross-c-compiler",
    Severity.NOTE,
    message="cgo not built for {port}: {why}; name a C compiler with --cc",
)
def _() -> None:
    """cgo could not be built for this target: zig has no C library for it and no CC was given.

    Why it happens: zig cross-compiles C with a libc for Linux (glibc, musl), Windows,
    macOS, FreeBSD, NetBSD and OpenBSD; it ships none for Android, iOS, illumos, Solaris,
    AIX, DragonFly, or glibc on big-endian ppc64.

    How to fix: name a C cross compiler for the target: `--cc android/arm64=CLANG` or a
    `[matrix.cc]` entry in .cgotrap.toml.

    Example::

        cgotrap matrix --targets android/arm64 --cgo 1
    """


@rule(
    "CGO199",
    "unclassified-failure",
    Severity.ERROR,
    message="{command} failed: {first_line}",
)
def _() -> None:
    """A step failed in a way cgotrap does not recognise; its output is shown whole.

    Why: compilers and linkers print many kinds of errors; the ones cgotrap cannot name
    are never dropped.

    How to fix: read the output; if it is a common cgo failure, it deserves its own rule.

    Example::

        (any failing step whose output matches no other rule)
    """
