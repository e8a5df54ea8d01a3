"""The one finding record every command emits (`scan`, `matrix`, `inspect`), and its rule.

A `Rule` is one kind of finding: a stable ID, a name, a default severity, the user
documentation and the message template its findings are worded with. A `Finding` is one rule
hit, made through its rule (`rule.finding(package=..., subject=..., targets=..., **fields)`)
so that a rule's detection, message and documentation are found together, and every output
format (terminal, JSON, and the coming SARIF, Markdown, HTML) is written once over this record.

The registry of rules (the `rule` decorator, `get`, `all_rules`) is `cgotrap.judge.rules`.
"""

from __future__ import annotations

import dataclasses
import enum
import string
from collections.abc import Mapping
from typing import Any, SupportsIndex

from cgotrap.targets import Target

RESERVED = frozenset(
    {"targets", "evidence", "files", "condition", "step", "template", "values", "fields"}
)
"""Names a message template cannot use: `Rule.finding` takes them as parameters."""


class Severity(enum.StrEnum):
    """How bad a finding is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Step(enum.StrEnum):
    """One go command `cgotrap matrix` runs per target; what a matrix finding came from."""

    BUILD = "build"
    VET = "vet"
    TEST = "test"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Evidence:
    """One piece of what a finding was read from: a place in the project, or tool output."""

    file: str
    """The file, relative to the module root ("sqlite/sqlite.go"); "" when the evidence is
    not located in a file (the whole output of a failing go command)."""
    line: int | None = None
    """1-based line in `file`, None when not known."""
    text: str = ""
    """The quoted source or output text ("fatal error: 'pcap.h' file not found"); "" when
    nothing is quoted."""


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    """One kind of finding, with a stable ID, its documentation and its message template.

    The template's fields may not be named like `finding`'s own parameters (`RESERVED`).
    """

    id: str
    """Stable identifier, "CGO001"; never reused for another meaning."""
    name: str
    """Short kebab-case name, "cgo-without-fallback"."""
    severity: Severity
    """Default severity."""
    summary: str
    """First line of the documentation."""
    doc: str
    """The full documentation: what, why it breaks, how to fix, example."""
    added: str
    """The cgotrap version that introduced the rule."""
    message: str
    """The template of a finding's one-line message, in `str.format` syntax with named fields
    only ("{package}: links -l{subject}, which is not part of the target's libc"); `package`
    and `subject` are always available, the others are passed to `finding`."""
    subject: str
    """What kind of thing a finding's `subject` is for this rule: "header", "library",
    "pkg-config package", "binary", "error", ... ("" when the finding is about the package
    itself)."""

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """A registered rule pickles as its ID and unpickles as the registered object: the
        judge tells rules apart by identity (`hit.rule is rules.cgo_fallback_takes_over`),
        and judgements cross between processes (`gate.halves`) and into the cache. A rule
        made outside the registry pickles by value."""
        from cgotrap.judge.rules import registered

        if registered(self.id) is self:
            return (registered_rule, (self.id,))
        return object.__reduce_ex__(self, protocol)

    def fields(self) -> tuple[str, ...]:
        """The named fields of `message`, in order of first use ("package", "subject", ...)."""
        names = (name for _, name, _, _ in string.Formatter().parse(self.message) if name)
        return tuple(dict.fromkeys(names))

    def format(
        self,
        *,
        package: str = "",
        subject: str = "",
        template: str | None = None,
        **fields: object,
    ) -> str:
        """The message of a finding of this rule (KeyError if a field is missing).

        `template` is a variant wording of this rule, for a detector that words one cause
        several ways (a row of the matrix classifier's table); None: the rule's `message`.
        """
        text = self.message if template is None else template
        return text.format(package=package, subject=subject, **fields)

    def finding(
        self,
        *,
        package: str = "",
        subject: str = "",
        targets: tuple[Target, ...] = (),
        evidence: tuple[Evidence, ...] = (),
        files: tuple[str, ...] = (),
        condition: str = "",
        step: Step | None = None,
        template: str | None = None,
        values: Mapping[str, object] | None = None,
        **fields: object,
    ) -> Finding:
        """A finding of this rule, its message formatted from the template and `fields`
        (`values`: more fields, for a caller that holds them in a mapping; `template`: a
        variant wording, see `format`)."""
        if values:
            fields = {**values, **fields}
        return Finding(
            rule=self,
            package=package,
            subject=subject,
            targets=targets,
            message=self.format(package=package, subject=subject, template=template, **fields),
            evidence=evidence,
            files=files,
            condition=condition,
            step=step,
        )


def registered_rule(rule_id: str) -> Rule:
    """The registered rule `rule_id` (how a registered `Rule` unpickles)."""
    from cgotrap.judge.rules import get

    return get(rule_id)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Finding:
    """One rule hit: by a package (or a binary), about one subject, on a set of targets."""

    rule: Rule
    """The rule (ID, name, default severity, documentation, message template)."""
    package: str = ""
    """The import path of the package it is about; "" when not about a package (a binary)."""
    subject: str = ""
    """What the finding is about, of the kind `rule.subject` names: a header
    ("sys/sysinfo.h"), a library ("pcap"), a binary path ("dist/app_linux_amd64/app"); ""
    when it is the package itself."""
    targets: tuple[Target, ...] = ()
    """Where it holds, in target order (scan, matrix); () when not about targets (inspect)."""
    message: str
    """One line saying what is wrong (the rule's template, rendered)."""
    evidence: tuple[Evidence, ...] = ()
    """What it was read from: source places, tool output."""
    files: tuple[str, ...] = ()
    """Files involved, relative to the module root."""
    condition: str = ""
    """A condition cgotrap cannot decide under which the finding holds on some of `targets`
    (the `#if` around a header's include: "#ifdef HAVE_SQLITE"); "" when it holds for sure."""
    step: Step | None = None
    """For `matrix`: the go command step whose output it came from; None otherwise."""

    @property
    def severity(self) -> Severity:
        """The rule's default severity (configuration may override it later)."""
        return self.rule.severity

    @property
    def rule_id(self) -> str:
        """`rule.id` ("CGO100")."""
        return self.rule.id

    @property
    def file(self) -> str:
        """The primary location's file: the first evidence's ("" without evidence)."""
        return self.evidence[0].file if self.evidence else ""

    @property
    def line(self) -> int | None:
        """The primary location's line: the first evidence's (None without evidence)."""
        return self.evidence[0].line if self.evidence else None

    @property
    def detail(self) -> str:
        """The quoted text of every evidence, one after another ("" without evidence)."""
        return "\n".join(e.text for e in self.evidence if e.text)
