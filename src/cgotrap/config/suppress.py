"""What the project says about findings: severity overrides, `[[ignore]]`s, inline directives.

`apply` turns findings into `Judged` ones: each keeps its finding, gets the severity the
project gives its rule, and, when an ignore or a `//cgotrap:ignore` directive covers it, the
`Suppression` that does (with its reason). Nothing is dropped: a suppressed finding stays in
the report (JSON, SARIF `suppressions`) and only leaves the gate.

Written against `FindingLike`, the little a finding must offer (rule ID and severity, the
package, the files), so it fits every command's finding record.
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Generic, Protocol, TypeVar, assert_never

from cgotrap.config import Config, Ignore
from cgotrap.judge.finding import Evidence, Finding
from cgotrap.judge.rules import Severity
from cgotrap.read import suppressions as inline
from cgotrap.read.suppressions import FileSuppressions, InlineSuppression, Scope


class RuleLike(Protocol):
    """What `apply` reads of a rule."""

    @property
    def id(self) -> str:
        """ "CGO004"."""
        ...


class FindingLike(Protocol):
    """What `apply` reads of a finding."""

    @property
    def rule(self) -> RuleLike:
        """The rule it cites."""
        ...

    @property
    def severity(self) -> Severity:
        """Its severity before the project's overrides."""
        ...

    @property
    def package(self) -> str:
        """The import path ("" when the finding is about no package, e.g. a binary)."""
        ...

    @property
    def files(self) -> Sequence[str]:
        """Files involved, relative to the module root."""
        ...


F = TypeVar("F", bound=FindingLike)


class SuppressionKind(enum.StrEnum):
    """Where a suppression was written (SARIF's `suppressions[].kind`: external, inSource)."""

    CONFIG = "config"
    INLINE = "inline"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Suppression:
    """Why a finding does not count against the gate."""

    kind: SuppressionKind
    """An `[[ignore]]` of `.cgotrap.toml`, or a `//cgotrap:ignore` comment."""
    reason: str
    """The reason the project wrote."""
    where: str
    """Where it was written: ".cgotrap.toml ignore[2]", "db/sqlite.go:12"."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Judged(Generic[F]):
    """A finding with the project's word on it."""

    finding: F
    """The finding, unchanged."""
    severity: Severity
    """Its severity after `[rules]` overrides."""
    suppression: Suppression | None = None
    """The first ignore or directive covering it; None when it counts."""


Locate = Callable[[F], tuple[str, int] | None]
"""(file, 1-based line) of a finding's primary location, when it has one."""


# ---------------------------------------------------------------------------------------------
# Globs


@functools.cache
def _package_regex(pattern: str) -> re.Pattern[str]:
    """cmd/go's package pattern (search.MatchPattern): "..." matches any string, and
    "x/..." also matches "x"."""
    body = re.escape(pattern).replace(re.escape("..."), ".*")
    if pattern.endswith("/...") and body.endswith("/.*"):
        body = body[: -len("/.*")] + "(/.*)?"
    return re.compile(body + r"\Z", re.DOTALL)


def package_matches(pattern: str, import_path: str, module_path: str = "") -> bool:
    """Whether an `[[ignore]]` package pattern matches `import_path`.

    Go's own pattern syntax ("example.com/app/...") and shell globs ("example.com/*/db") both
    work; "./internal/..." is relative to `module_path` when it is given.
    """
    if pattern.startswith("./") or pattern == ".":
        if not module_path:
            return False
        pattern = module_path if pattern == "." else f"{module_path}/{pattern[2:]}"
    if "..." in pattern:
        return _package_regex(pattern).match(import_path) is not None
    return fnmatch.fnmatchcase(import_path, pattern)


def path_matches(pattern: str, path: str) -> bool:
    """Whether a module-root-relative `path` matches a glob.

    "*" and "?" stay within one path element, "**" spans any number of them, and a
    pattern without "/" matches the file name in any directory ("*_cgo.go").
    """
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if "/" not in pattern:
        return bool(parts) and fnmatch.fnmatchcase(parts[-1], pattern)
    return _glob_parts(tuple(p for p in pattern.split("/") if p not in ("", ".")), tuple(parts))


def _glob_parts(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    # positions in `parts` the pattern prefix can end at; bounded by len(pattern)*len(parts)
    states = {0}
    for element in pattern:
        if element == "**":
            states = set(range(min(states), len(parts) + 1)) if states else set()
        else:
            states = {
                i + 1 for i in states if i < len(parts) and fnmatch.fnmatchcase(parts[i], element)
            }
        if not states:
            return False
    return len(parts) in states


# ---------------------------------------------------------------------------------------------
# Applying


def _ignore_covers(ignore: Ignore, finding: FindingLike, module_path: str) -> bool:
    if ignore.rule != finding.rule.id:
        return False
    if ignore.package is not None and not package_matches(
        ignore.package, finding.package, module_path
    ):
        return False
    return ignore.path is None or any(path_matches(ignore.path, f) for f in finding.files)


def _inline_covers(directive: InlineSuppression, rule_id: str, path: str, line: int | None) -> bool:
    if rule_id not in directive.rules or directive.path != path:
        return False
    match directive.scope:
        case Scope.FILE:
            return True
        case Scope.LINE:
            return line is not None and directive.covers == line
        case _ as unreachable:
            assert_never(unreachable)


def read_inline(root: Path, findings: Iterable[FindingLike]) -> dict[str, FileSuppressions]:
    """The directives of every Go file the findings name, each file read once."""
    out: dict[str, FileSuppressions] = {}
    for finding in findings:
        for path in finding.files:
            if path.endswith(".go") and path not in out:
                out[path] = inline.read(root, path)
    return out


def apply(
    findings: Iterable[F],
    config: Config,
    *,
    inline_suppressions: Mapping[str, FileSuppressions] | None = None,
    locate: Locate[F] | None = None,
    module_path: str = "",
) -> tuple[Judged[F], ...]:
    """The findings with the project's severities and suppressions, in the same order.

    An `[[ignore]]` covers a finding of its rule whose package matches (if it names one) and
    one of whose files matches (if it names a path). A file-scope directive covers the
    findings of its rules that name its file; a line directive those located (by `locate`)
    at the line it covers. The first that covers wins: config ignores in file order, then
    directives in file order.
    """
    directives = inline_suppressions or {}
    config_where = str(config.path) if config.path is not None else ".cgotrap.toml"
    out: list[Judged[F]] = []
    for finding in findings:
        rule_id = finding.rule.id
        severity = config.severities.get(rule_id, finding.severity)
        suppression: Suppression | None = None
        for ignore in config.ignores:
            if _ignore_covers(ignore, finding, module_path):
                suppression = Suppression(
                    kind=SuppressionKind.CONFIG,
                    reason=ignore.reason,
                    where=f"{config_where} ignore[{ignore.index}]",
                )
                break
        if suppression is None:
            location = locate(finding) if locate is not None else None
            for path in finding.files:
                line = location[1] if location is not None and location[0] == path else None
                found = directives.get(path)
                hit = next(
                    (
                        d
                        for d in (found.suppressions if found else ())
                        if _inline_covers(d, rule_id, path, line)
                    ),
                    None,
                )
                if hit is not None:
                    suppression = Suppression(
                        kind=SuppressionKind.INLINE,
                        reason=hit.reason,
                        where=f"{hit.path}:{hit.line}",
                    )
                    break
        out.append(Judged(finding=finding, severity=severity, suppression=suppression))
    return tuple(out)


def non_suppressing(
    found: Mapping[str, FileSuppressions], known_rules: frozenset[str]
) -> tuple[inline.MalformedSuppression, ...]:
    """Every directive that suppresses nothing (each one a CGO099 finding): the malformed
    ones, and the well-formed ones naming a rule the registry does not have."""
    out: list[inline.MalformedSuppression] = []
    for path in sorted(found):
        file = found[path]
        out.extend(file.malformed)
        out.extend(
            inline.MalformedSuppression(
                path=path,
                line=directive.line,
                text=f"//cgotrap:ignore {','.join(directive.rules)} {directive.reason}",
                problem=f"unknown rule {rule_id}",
            )
            for directive in file.suppressions
            for rule_id in directive.rules
            if rule_id not in known_rules
        )
    return tuple(sorted(out, key=lambda m: (m.path, m.line)))


def malformed_findings(
    found: Mapping[str, FileSuppressions], known_rules: frozenset[str]
) -> tuple[Finding, ...]:
    """A CGO099 finding per directive that suppresses nothing (see `non_suppressing`)."""
    from cgotrap.judge.rules.suppression import malformed_suppression

    return tuple(
        malformed_suppression.finding(
            subject=m.text,
            evidence=(Evidence(file=m.path, line=m.line, text=m.text),),
            files=(m.path,),
            path=m.path,
            line=m.line,
            problem=m.problem,
        )
        for m in non_suppressing(found, known_rules)
    )
