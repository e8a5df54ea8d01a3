"""Fuzz what cgotrap reads of a Go tree: go.mod, go.work, vendor/modules.txt and Go file
headers (constraint lines, imports, cgo preambles), through the library's parsers and the
public CLI (`cgotrap list -json` on a generated module), as test_inspect_fuzz does for
binaries (issue 13).

Every example must end in a clean result or a `CgotrapError` (one line), never another
exception. Text is built from the tokens these grammars are made of, so examples reach past
the first token; examples are few and bounded so the module stays well under 60 s in CI.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgotrap.cli.main import main_inner
from cgotrap.discover.gomod import parse_gomod_text, parse_gowork_text
from cgotrap.discover.vendor import parse_modules_txt
from cgotrap.errors import CgotrapError
from cgotrap.read.filename import FileKind
from cgotrap.read.gofile import source_from_bytes

_WORDS = [
    "module", "go", "toolchain", "require", "replace", "exclude", "retract", "use", "godebug",
    "=>", "(", ")", "//", "/*", "*/", '"', "`", "\\", "example.com/m", "./d", "../x", "v1.2.3",
    "v0.0.0-20200101000000-abcdefabcdef", "1.22", "1.27.3", "go1.27", "// indirect", "##",
    "# example.com/a v1.0.0", "## explicit", "## explicit; go 1.18", "=> ./local", "\x00",
    "\xff", "\u2028", "\x1b[2J", "package", "import", '"C"', "p", "main", "_", ".",
    "//go:build", "// +build", "linux", "!windows", "&&", "||", "cgo", "#cgo", "CFLAGS:",
    "LDFLAGS:", "pkg-config:", "-lfoo", "#include", "<stdio.h>", '"x.h"', "#if", "#endif",
    "//go:embed", "//go:binary-only-package", '"fmt"', '"embed"', "\ufeff",
]  # fmt: skip
_SEP = st.sampled_from([" ", "\t", "\n", "\n\n", "\r\n", ""])
_TEXT = st.lists(st.tuples(st.sampled_from(_WORDS) | st.text(max_size=6), _SEP), max_size=60).map(
    lambda parts: "".join(w + s for w, s in parts)
)


def _problem(run: Callable[[], object]) -> str:
    """ "" when `run` returns, the message of the `CgotrapError` it raises otherwise."""
    try:
        run()
    except CgotrapError as exc:
        return str(exc)
    return ""


_FUZZ = settings(
    max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow], database=None
)


@_FUZZ
@given(_TEXT)
def test_go_mod_and_go_work_parse_or_say_why(text: str) -> None:
    for parse, name in ((parse_gomod_text, "go.mod"), (parse_gowork_text, "go.work")):
        assert "\n" not in _problem(lambda: parse(text, Path("/m") / name))  # noqa: B023


@_FUZZ
@given(_TEXT)
def test_modules_txt_parses_or_says_why(text: str) -> None:
    assert "\n" not in _problem(lambda: parse_modules_txt(text))


@_FUZZ
@given(_TEXT, st.binary(max_size=64))
def test_go_file_headers_never_raise(text: str, noise: bytes) -> None:
    for data in (text.encode("utf-8", "surrogatepass"), noise + text.encode(), text.encode()[:37]):
        for name, kind in (("x.go", FileKind.GO), ("x_linux.c", FileKind.C)):
            src = source_from_bytes(data, name, kind)
            assert "\n" not in src.error


_CLI = settings(
    max_examples=25, deadline=10_000, suppress_health_check=[HealthCheck.too_slow], database=None
)


@_CLI
@given(gomod=_TEXT, gowork=st.none() | _TEXT, modules=st.none() | _TEXT, header=_TEXT)
def test_list_on_a_fuzzed_module_is_a_result_or_one_line(
    gomod: str, gowork: str | None, modules: str | None, header: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "go.mod").write_text("module example.com/m\n\n" + gomod, errors="surrogatepass")
        if gowork is not None:
            (root / "go.work").write_text(gowork, errors="surrogatepass")
        if modules is not None:
            (root / "vendor").mkdir()
            (root / "vendor/modules.txt").write_text(modules, errors="surrogatepass")
        (root / "a.go").write_text(header, errors="surrogatepass")
        (root / "b.go").write_text('package m\n\n// #cgo LDFLAGS: -lz\nimport "C"\n' + header)
        codes: list[int] = []

        def run() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                codes.append(main_inner(["list", "-e", "-deps", "-json", "-C", tmp, "./..."]))

        problem = _problem(run)
        assert "\n" not in problem
        assert problem or codes[0] in (0, 1, 5)
