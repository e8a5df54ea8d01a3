"""Evidence of the file-set rules (CGO001/002/003/008) in their findings."""

from __future__ import annotations

from cgotrap.evaluate.model import PackageFacts
from cgotrap.evaluate.sources import SourceFacts
from cgotrap.judge.finding import Evidence
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan import located
from cgotrap.judge.scan.package import Hit
from cgotrap.read.godecl import GoDecls, Import
from cgotrap.targets import Target

OFF = Target(goos="linux", goarch="amd64", cgo=False)
ON = Target(goos="linux", goarch="amd64", cgo=True)


def _facts(target: Target, **files: tuple[str, ...]) -> PackageFacts:
    return PackageFacts(
        target=target,
        dir="/m/db",
        import_path="example.com/m/db",
        name="db",
        module_path="example.com/m",
        standard=False,
        dep_only=False,
        **files,  # type: ignore[arg-type]  # file lists by their field names
    )


def _decls(*, c_line: int = 0, build: str = "", build_line: int = 0) -> GoDecls:
    return GoDecls(
        package="db",
        error="",
        imports=(Import(path="C", name="", line=c_line),) if c_line else (),
        decls=(),
        uses=(),
        qualified=(),
        error_values=(),
        failing=(),
        build=build,
        build_line=build_line,
    )


def test_fallback_cites_the_import_c_line_and_the_constraint_taking_over() -> None:
    sources = SourceFacts(
        decls={
            "/m/db/db_cgo.go": _decls(c_line=9),
            "/m/db/db_tag.go": _decls(build="//go:build cgo && linux", build_line=3),
            "/m/db/db_stub.go": _decls(build="//go:build !cgo", build_line=1),
        }
    )
    hit = Hit(
        rule=rules.cgo_fallback_takes_over,
        package="example.com/m/db",
        subject="",
        target=OFF,
        files=("db/db_stub.go",),
        extra=("db/db_cgo.go", "db/db_tag.go"),
    )
    other = Hit(rule=rules.needs_pkg_config, package="example.com/m/db", subject="x", target=OFF)
    facts = {"example.com/m/db": _facts(OFF, go_files=("db_stub.go",))}
    located_hit, untouched = located.with_evidence([hit, other], OFF, [facts], sources)
    assert located_hit.evidence == (
        Evidence(file="db/db_cgo.go", line=9, text='import "C"'),
        Evidence(file="db/db_tag.go", line=3, text="//go:build cgo && linux"),
        Evidence(file="db/db_stub.go", line=1, text="//go:build !cgo"),
    )
    assert untouched is other


def test_without_sources_the_files_are_named_and_go_speaks() -> None:
    hit = Hit(
        rule=rules.cgo_without_fallback,
        package="example.com/m/db",
        subject="",
        target=OFF,
        files=("db/db.go",),
    )
    facts = {"example.com/m/db": _facts(ON, cgo_files=("db.go",))}
    (found,) = located.with_evidence([hit], OFF, [{}, facts], SourceFacts())
    assert found.evidence == (
        Evidence(file="db/db.go"),
        Evidence(file="", text="build constraints exclude all Go files in db"),
    )


def test_c_plus_plus_files_without_cgo_get_go_s_own_words() -> None:
    p = _facts(ON, go_files=("db.go",), cxx_files=("a.cc", "b.cc"))
    assert located.go_error_text(p, "db") == (
        "C++ source files not allowed when not using cgo or SWIG: a.cc b.cc"
    )
    hit = Hit(
        rule=rules.c_files_without_cgo,
        package="example.com/m/db",
        subject="",
        target=ON,
        files=("db/a.cc", "db/b.cc"),
    )
    (found,) = located.with_evidence([hit], ON, [{"example.com/m/db": p}], SourceFacts())
    assert found.evidence == (
        Evidence(
            file="db/a.cc",
            text="C++ source files not allowed when not using cgo or SWIG: a.cc b.cc",
        ),
        Evidence(file="db/b.cc"),
    )
