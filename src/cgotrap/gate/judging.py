"""A scan's findings with the project's word on them, applied after judging.

`judge_scan` takes `scan`'s result as it is and returns it with one CGO099 finding per
`//cgotrap:ignore` directive that suppresses nothing, and every finding wrapped in a
`Judged` (`config.suppress`): its severity after `[rules]` overrides, and the `[[ignore]]`
or inline directive that covers it, with the reason. Nothing is dropped: a suppressed
finding stays in the report and only leaves the gate.

A line directive covers a finding located at the line below it (or its own line, trailing).
Scan's findings carry no line, so `locate` finds the place in the finding's Go files that the
finding is about, by its rule's subject kind: the `#include` of the header, the `#cgo`
line naming the `-l` library or pkg-config package, else the `import "C"` line. Only the
lines of the file header (up to `import "C"`) are looked at: that is where cgo says what it
needs.
"""

from __future__ import annotations

import dataclasses
import enum
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from cgotrap.config import Config
from cgotrap.config.suppress import Judged, apply, malformed_findings
from cgotrap.judge.finding import Finding, Severity
from cgotrap.judge.scan import ScanResult
from cgotrap.read import suppressions as inline

if TYPE_CHECKING:
    from cgotrap.crossbuild.results import MatrixReport
    from cgotrap.gate.baseline import BaselineView

MAX_HEADER_LINES = 4096
"""Lines of a Go file looked at to locate a finding (a cgo preamble is far shorter)."""


def _header_lines(root: Path, relpath: str, data: bytes | None = None) -> list[str]:
    """The lines of `relpath` up to and including its `import "C"` (bounded); `data`: the
    file's bytes when they were read already (whole: at most MAX_FILE_BYTES)."""
    if data is None:
        from cgotrap.read.fdreader import read_noted

        try:
            data = read_noted(root / relpath, inline.MAX_FILE_BYTES)
        except OSError:
            return []
    lines = data.decode("utf-8", errors="replace").splitlines()[:MAX_HEADER_LINES]
    for number, text in enumerate(lines):
        if _is_import_c(text):
            return lines[: number + 1]
    return lines


def _is_import_c(text: str) -> bool:
    """`import "C"`, or `"C"` alone on a line of an import block."""
    code = text.split("//", maxsplit=1)[0].strip().replace("\t", " ")
    return code in ('import "C"', "import `C`", '"C"', "`C`")


def _mentions(text: str, rule_subject: str, subject: str) -> bool:
    body = text.strip().lstrip("/*").strip()
    match rule_subject:
        case "header":
            return (
                body.startswith("#")
                and "include" in body
                and (f"<{subject}>" in body or f'"{subject}"' in body)
            )
        case "library":
            return body.startswith("#cgo") and f"-l{subject}" in body.split()
        case "pkg-config package":
            return body.startswith("#cgo") and "pkg-config:" in body and subject in body.split()
        case _:
            return False


class Locator:
    """`locate` for `config.suppress.apply`, each file's header read once."""

    def __init__(self, root: Path, read: Mapping[str, bytes] | None = None) -> None:
        self._root = root
        self._lines: dict[str, list[str]] = {}
        self._read = read or {}  # (files read already: judge_scan's directive files)

    def _file(self, relpath: str) -> list[str]:
        if relpath not in self._lines:
            data = self._read.get(relpath)
            self._lines[relpath] = _header_lines(self._root, relpath, data)
        return self._lines[relpath]

    def __call__(self, finding: Finding) -> tuple[str, int] | None:
        """(file, 1-based line) the finding is about, when one of its Go files says."""
        if finding.line is not None and finding.file:
            return finding.file, finding.line
        go_files = [f for f in finding.files if f.endswith(".go")]
        if finding.subject:
            for path in go_files:
                for number, text in enumerate(self._file(path), 1):
                    if _mentions(text, finding.rule.subject, finding.subject):
                        return path, number
        for path in go_files:
            for number, text in enumerate(self._file(path), 1):
                if _is_import_c(text):
                    return path, number
        return None


def _directive_files(result: ScanResult) -> list[str]:
    """Go files of the module whose directives matter: the findings' and the cgo files."""
    files: dict[str, None] = {}
    for f in result.findings:
        files.update(dict.fromkeys(p for p in f.files if p.endswith(".go")))
    for package in result.packages:
        if package.standard or package.dir is None or package.dir.startswith("$"):
            continue
        for entry in package.per_target:
            files.update(dict.fromkeys(entry.cgo_files))
    return sorted(p for p in files if not p.startswith(("/", "$")))


def judge_scan(
    result: ScanResult, config: Config, *, root: Path, module_path: str = ""
) -> tuple[ScanResult, tuple[Judged[Finding], ...]]:
    """`result` with CGO099 findings added, and each finding with the project's word on it
    (in the result's order)."""
    from cgotrap.judge.rules import all_rules

    found: dict[str, inline.FileSuppressions] = {}
    read: dict[str, bytes] = {}  # (the locator reads the findings' files: these, mostly)
    for path in _directive_files(result):
        found[path], data = inline.read_with_bytes(root, path)
        if data is not None:
            read[path] = data
    malformed = malformed_findings(found, frozenset(r.id for r in all_rules()))
    if malformed:
        # a directive is about its file's package, on every reported target
        dirs = {p.dir: p.import_path for p in result.packages if p.dir is not None}
        malformed = tuple(
            dataclasses.replace(
                m,
                package=dirs.get(posixpath.dirname(m.files[0]) if m.files else "", ""),
                targets=result.targets,
            )
            for m in malformed
        )
        result = dataclasses.replace(result, findings=_ordered((*result.findings, *malformed)))
    judged = apply(
        result.findings,
        config,
        inline_suppressions=found,
        locate=Locator(root, read),
        module_path=module_path,
    )
    return result, judged


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def _ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first (scan's order), stable within a severity."""
    return tuple(sorted(findings, key=lambda f: _ORDER[f.severity]))


def counted(judged: Sequence[Judged[Finding]]) -> dict[Severity, int]:
    """Findings per severity (after overrides), suppressed ones not counted."""
    out = dict.fromkeys(Severity, 0)
    for j in judged:
        if j.suppression is None:
            out[j.severity] += 1
    return out


class FailOn(enum.StrEnum):
    """`--fail-on` values: the least severe finding that fails the gate."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"
    NEVER = "never"

    def reached_by(self, severity: Severity) -> bool:
        """Whether a finding of `severity` fails a gate set at this level."""
        match self:
            case FailOn.ERROR:
                return severity is Severity.ERROR
            case FailOn.WARNING:
                return severity in (Severity.ERROR, Severity.WARNING)
            case FailOn.NOTE:
                return True
            case FailOn.NEVER:
                return False
            case _ as unreachable:
                assert_never(unreachable)


def failing(
    judged: Sequence[Judged[Finding]], fail_on: FailOn, new: Iterable[int] | None = None
) -> tuple[int, ...]:
    """Indexes of the findings that fail the gate: not suppressed, at or above `fail_on`,
    and (with a baseline) among the `new` ones."""
    candidates = range(len(judged)) if new is None else sorted(set(new))
    return tuple(
        i
        for i in candidates
        if judged[i].suppression is None and fail_on.reached_by(judged[i].severity)
    )


def judge_findings(
    findings: Sequence[Finding], config: Config, *, root: Path | None
) -> tuple[Judged[Finding], ...]:
    """`matrix`'s or `inspect`'s findings with the project's severities and ignores (and,
    with the module `root`, the inline directives of the Go files they name).

    A finding about a binary names no file; an `[[ignore]]` `path` glob is matched against
    the binary's path as the user named it ("dist/app_linux_amd64/app")."""
    findings = tuple(
        dataclasses.replace(f, files=(f.subject,))
        if f.rule.subject == "binary" and f.subject and not f.files
        else f
        for f in findings
    )
    found: dict[str, inline.FileSuppressions] = {}
    if root is not None:
        for f in findings:
            for path in f.files:
                if path.endswith(".go") and path not in found and not path.startswith("/"):
                    found[path] = inline.read(root, path)
    return apply(
        findings,
        config,
        inline_suppressions=found,
        locate=Locator(root) if root is not None else None,
        module_path=module_path_of(root) if root is not None else "",
    )


def module_path_of(root: Path) -> str:
    """The module path of `root/go.mod` ("" when unreadable)."""
    from cgotrap.gate.project import module_path

    return module_path(root)


def matrix_failed(
    report: MatrixReport, judged: Sequence[Judged[Finding]], baseline: BaselineView | None
) -> bool:
    """Whether `cgotrap matrix` fails: a target not allowed to fail failed with a finding
    that counts (not suppressed, and with a baseline not accepted on that target), or with
    no finding at all (a failure nothing explains always counts)."""
    from cgotrap.crossbuild.results import FAILING

    word = {
        (j.finding.rule.id, j.finding.package, j.finding.subject): j.suppression for j in judged
    }
    accepted = {e.key: set(e.targets) for e in baseline.baseline.entries} if baseline else {}
    for t in report.targets:
        if t.outcome not in FAILING or t.allowed_to_fail:
            continue
        if not t.findings:
            return True
        for f in t.findings:
            key = (f.rule.id, f.package, f.subject)
            if word.get(key) is not None:
                continue
            if baseline is None or t.target.name not in accepted.get(key, set()):
                return True
    return False
