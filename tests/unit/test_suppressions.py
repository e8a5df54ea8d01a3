"""Inline `//cgotrap:ignore` directives, `[[ignore]]`s and severity overrides."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from cgotrap.config import CONFIG_NAME, Config, load
from cgotrap.config.suppress import (
    SuppressionKind,
    apply,
    malformed_findings,
    non_suppressing,
    package_matches,
    path_matches,
    read_inline,
)
from cgotrap.crossbuild.zigcc import cc_command, triple_for
from cgotrap.judge.rules import Severity, all_rules
from cgotrap.read.suppressions import Scope, parse
from cgotrap.targets import Target
from cgotrap.toolchain import Tool
from tests.gofixtures import go_env, gomod, write_tree

SOURCE = b"""// Package db talks to sqlite.
//cgotrap:ignore CGO001 this package is linux-only, see docs/platforms.md
package db

// // The include below is on every libc we ship but musl.
// //cgotrap:ignore CGO004 musl builds use the pure-Go driver
// #include <stdio.h>
// #include <stdlib.h> //cgotrap:ignore CGO009,CGO005 part of every libc
// static int two(void) { return 2; }
import "C"

var s = "//cgotrap:ignore CGO004 in a string, not a directive"

/* //cgotrap:ignore CGO004 in a Go block comment, not a directive */

//cgotrap:ignore CGO006
//cgotrap:ignore CGO006 stacked above the var
var y = int(C.two()) //cgotrap:ignore CG06 typo

//cgotrap:ignore CGO005 trailing line below

func F() int { return y } //cgotrap:ignore CGO007 on its line
"""


def test_directives_and_what_they_cover() -> None:
    found = parse(SOURCE, "db/db.go")
    got = [(d.line, d.scope, d.covers, d.rules, d.reason) for d in found.suppressions]
    assert got == [
        (2, Scope.FILE, 0, ("CGO001",), "this package is linux-only, see docs/platforms.md"),
        (6, Scope.LINE, 7, ("CGO004",), "musl builds use the pure-Go driver"),
        (8, Scope.LINE, 8, ("CGO009", "CGO005"), "part of every libc"),
        (17, Scope.LINE, 18, ("CGO006",), "stacked above the var"),
        (20, Scope.LINE, 22, ("CGO005",), "trailing line below"),
        (22, Scope.LINE, 22, ("CGO007",), "on its line"),
    ]
    assert [(m.line, m.problem) for m in found.malformed] == [
        (16, "no reason"),
        (18, "'CG06' is not a rule ID such as CGO004"),
    ]


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ("//cgotrap:ignore", "no rule ID"),
        ("//cgotrap:ignore   ", "no rule ID"),
        ("//cgotrap:ignore CGO004", "no reason"),
        ("//cgotrap:ignore CGO004,", "no reason"),
        ("//cgotrap:ignore all because", "'all' is not a rule ID"),
    ],
)
def test_malformed_directive(comment: str, problem: str) -> None:
    found = parse(f"package p\n\n{comment}\nvar x = 1\n".encode(), "p.go")
    assert [m.problem[: len(problem)] for m in found.malformed] == [problem]
    assert not found.suppressions


def test_look_alikes_are_not_directives() -> None:
    text = b"package p\n\n//cgotrap:ignorex CGO004 r\n// cgotrap:ignore CGO004 r\nvar x = 1\n"
    found = parse(text, "p.go")
    assert found.suppressions == ()
    assert found.malformed == ()


def test_file_without_package_clause_is_all_header() -> None:
    found = parse(b"//cgotrap:ignore CGO011 generated\n", "gen.go")
    assert [(d.scope, d.covers) for d in found.suppressions] == [(Scope.FILE, 0)]


@pytest.mark.integration
def test_preamble_directives_still_build(tmp_path: Path, go_tool: Tool, zig_tool: Tool) -> None:
    """The C-comment form in a cgo preamble is valid C: `go build` with zig cc as the oracle
    (a Go-level `//cgotrap:ignore` line inside the preamble would be C text and fail)."""
    write_tree(
        tmp_path,
        {
            "go.mod": gomod("example.com/s"),
            "db/db.go": SOURCE.decode().replace(" //cgotrap:ignore CG06 typo", ""),
        },
    )
    target = Target(goos="linux", goarch="amd64", cgo=True)
    triple, why = triple_for(target)
    assert triple is not None, why
    env = go_env({"CGO_ENABLED": "1", "CC": cc_command(str(zig_tool.path), triple)})
    done = subprocess.run(
        [str(go_tool.path), "build", "./db"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------------------------
# Matching


@dataclasses.dataclass(frozen=True)
class _Rule:
    id: str


@dataclasses.dataclass(frozen=True)
class _Finding:
    """The least a finding offers (`FindingLike`)."""

    rule: _Rule
    severity: Severity
    package: str
    files: Sequence[str]
    line: int | None = None


def _finding(rule: str, package: str, *files: str, line: int | None = None) -> _Finding:
    return _Finding(
        rule=_Rule(rule), severity=Severity.ERROR, package=package, files=files, line=line
    )


def _locate(f: _Finding) -> tuple[str, int] | None:
    return (f.files[0], f.line) if f.line is not None and f.files else None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("example.com/app/...", "example.com/app", True),
        ("example.com/app/...", "example.com/app/db", True),
        ("example.com/app/...", "example.com/apps", False),
        ("example.com/.../db", "example.com/x/y/db", True),
        ("example.com/*/db", "example.com/x/db", True),
        ("example.com/app/db", "example.com/app/db", True),
        ("example.com/app/db", "example.com/app/db2", False),
        ("./internal/...", "example.com/app/internal/x", True),
        ("./internal/...", "example.com/app/cmd", False),
    ],
)
def test_package_patterns(pattern: str, path: str, matches: bool) -> None:
    assert package_matches(pattern, path, "example.com/app") is matches


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("vendor/**", "vendor/github.com/x/y.go", True),
        ("vendor/**", "vendorx/y.go", False),
        ("**/testdata/**", "a/b/testdata/c.go", True),
        ("**/testdata/**", "testdata/c.go", True),
        ("internal/*.go", "internal/a.go", True),
        ("internal/*.go", "internal/x/a.go", False),
        ("*_cgo.go", "db/sqlite_cgo.go", True),
        ("*_cgo.go", "db/sqlite.go", False),
        ("db/sqlite.go", "./db/sqlite.go", True),
    ],
)
def test_path_globs(pattern: str, path: str, matches: bool) -> None:
    assert path_matches(pattern, path) is matches


def test_apply_overrides_ignores_and_inline(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text(
        '[rules]\nCGO005 = "note"\n'
        '[[ignore]]\nrule = "CGO006"\npath = "vendor/**"\nreason = "vendored"\n'
        '[[ignore]]\nrule = "CGO004"\npackage = "./legacy/..."\nreason = "retired soon"\n'
    )
    config = load(tmp_path / CONFIG_NAME)
    write_tree(tmp_path, {"db/db.go": SOURCE})
    findings = [
        _finding("CGO005", "example.com/app/db", "db/db.go"),  # overridden, not suppressed
        _finding("CGO006", "example.com/app/vendor/x", "vendor/x/x.go"),  # config path
        _finding("CGO004", "example.com/app/legacy/old", "legacy/old/a.go"),  # config package
        _finding("CGO004", "example.com/app/other", "other/a.go"),  # counts
        _finding("CGO001", "example.com/app/db", "db/db.go"),  # file-scope directive
        _finding("CGO004", "example.com/app/db", "db/db.go", line=7),  # line directive
        _finding("CGO004", "example.com/app/db", "db/db.go", line=8),  # the next line: counts
        _finding("CGO004", "example.com/app/db", "db/db.go"),  # no line: only file scope
        _finding("CGO006", "example.com/app/db", "db/db.go", line=18),  # stacked directive
    ]
    inline = read_inline(tmp_path, findings)
    assert set(inline) == {"db/db.go", "vendor/x/x.go", "legacy/old/a.go", "other/a.go"}
    assert inline["other/a.go"].error  # not there: read as an error, no crash
    judged = apply(
        findings,
        config,
        inline_suppressions=inline,
        locate=_locate,
        module_path="example.com/app",
    )
    assert [j.finding for j in judged] == findings
    assert [j.severity for j in judged][:2] == [Severity.NOTE, Severity.ERROR]
    got = [(j.suppression.kind, j.suppression.where) if j.suppression else None for j in judged]
    config_path = str(tmp_path / CONFIG_NAME)
    assert got == [
        None,
        (SuppressionKind.CONFIG, f"{config_path} ignore[1]"),
        (SuppressionKind.CONFIG, f"{config_path} ignore[2]"),
        None,
        (SuppressionKind.INLINE, "db/db.go:2"),
        (SuppressionKind.INLINE, "db/db.go:6"),
        None,
        None,
        (SuppressionKind.INLINE, "db/db.go:17"),
    ]
    assert judged[5].suppression is not None
    assert judged[5].suppression.reason == "musl builds use the pure-Go driver"


def test_a_directive_silences_exactly_one_finding() -> None:
    source = b"package p\n\nvar a = 1 //cgotrap:ignore CGO004 reason\nvar b = 2\n"
    inline = {"p.go": parse(source, "p.go")}
    findings = [_finding("CGO004", "p", "p.go", line=n) for n in (1, 2, 3, 4)]
    findings.append(_finding("CGO005", "p", "p.go", line=3))
    judged = apply(findings, Config(), inline_suppressions=inline, locate=_locate)
    assert [j.suppression is not None for j in judged] == [False, False, True, False, False]


def test_non_suppressing_directives_include_unknown_rules() -> None:
    source = b"package p\n\n//cgotrap:ignore CGO998 no such rule\n//cgotrap:ignore CGO004\n"
    inline = {"p.go": parse(source, "p.go")}
    known = frozenset(r.id for r in all_rules())
    problems = [(m.line, m.problem) for m in non_suppressing(inline, known)]
    assert problems == [(3, "unknown rule CGO998"), (4, "no reason")]
    assert "CGO099" in known


def test_malformed_directives_are_cgo099_findings() -> None:
    source = b"package p\n\n//cgotrap:ignore CGO998 no such rule\n//cgotrap:ignore CGO004\n"
    inline = {"p.go": parse(source, "p.go")}
    known = frozenset(r.id for r in all_rules())
    findings = malformed_findings(inline, known)
    assert [(f.rule_id, f.file, f.line) for f in findings] == [
        ("CGO099", "p.go", 3),
        ("CGO099", "p.go", 4),
    ]
    assert findings[1].message == "p.go:4: this //cgotrap:ignore suppresses nothing: no reason"
    assert findings[0].severity is Severity.WARNING
    # the one Finding fits what apply() reads of a finding, located by its evidence
    judged = apply(
        findings, Config(), inline_suppressions=inline, locate=lambda f: (f.file, f.line or 0)
    )
    assert [j.suppression for j in judged] == [None, None]


def test_a_file_without_the_directive_is_not_tokenized_and_reads_the_same(goroot: Path) -> None:
    """`parse` skips tokenizing a file that does not hold the directive's bytes: on real Go
    files (GOROOT's cgo packages, preambles included) the answer is the full parse's."""
    from cgotrap.read import suppressions

    files = sorted((goroot / "src" / "runtime" / "cgo").glob("*.go"))
    files += sorted((goroot / "src" / "net").glob("cgo_*.go"))
    assert len(files) > 10
    for f in files:
        data = f.read_bytes()
        assert suppressions.DIRECTIVE not in data
        assert parse(data, f.name) == suppressions._parse(data, f.name)
    with_directive = SOURCE
    assert parse(with_directive, "db.go") == suppressions._parse(with_directive, "db.go")
    assert parse(with_directive, "db.go").suppressions
