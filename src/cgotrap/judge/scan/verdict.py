"""One verdict per package and target: what `go build` (and a run) really does with it.

`decide` turns the file-set judgement of `package` (`Status`) into a `Verdict` for every
non-standard package of one target, with the source facts read beforehand
(`evaluate.sources`):

- `breaks`: no Go file left, a package error, C files without cgo, a libc header the
  target lacks included for sure (by a preamble or by the package's C files), a name only
  cgo files declare used by the package (`undefined: fastHash`, or a method:
  `c.FastAdd undefined`) or by an importer (`undefined: orphanc.Twice`), or a package it
  imports breaks (the evidence is then what `go build` of it prints: the import stack of
  each import that fails to load, else the compiler errors of the imports that fail:
  `stacks`);
- `degrades`: the files that replace the cgo files on this port are stubs (CGO016), a
  file constrained on `cgo` took an import out of the program (CGO017), or a lost file's
  `init` registered something no file left registers (CGO018); a main package reaching a
  degrading package degrades too;
- `fallback`: cgo files drop out and the package still builds;
- `not-built`: no main package reaches it (with no main package every root is one).
"""

from __future__ import annotations

import collections
import dataclasses
import posixpath
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from cgotrap.evaluate.model import PackageFacts
from cgotrap.evaluate.sources import SourceFacts
from cgotrap.judge.finding import Evidence, Rule
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan import located, stacks
from cgotrap.judge.scan.facts import rel_files
from cgotrap.judge.scan.model import PackageOnTarget, Status, Verdict
from cgotrap.judge.scan.package import Hit, ScanContext
from cgotrap.read import cpp
from cgotrap.targets import Target

if TYPE_CHECKING:
    # The declaration readers are imported where a verdict uses them: a scan with no
    # package whose Go files change with cgo (GOROOT std) never does (~8 ms of imports).
    from cgotrap.read import leftout
    from cgotrap.read.godecl import GoDecls

_FROM_STATUS = {
    Status.CGO: Verdict.CGO,
    Status.FALLBACK: Verdict.FALLBACK,
    Status.DROPPED: Verdict.FALLBACK,
    Status.BROKEN: Verdict.BREAKS,
    Status.ERROR: Verdict.BREAKS,
    Status.PURE: Verdict.PURE,
    Status.ABSENT: Verdict.NOT_BUILT,
}

_NO_MACROS = cpp.Macros(defined={})

_INHERENT = frozenset({"C", "runtime/cgo"})
"""Imports that leave every CGO_ENABLED=0 program by definition: no feature is lost."""

_FAILED = frozenset({Verdict.BREAKS, Verdict.DEGRADES})

_OWN_FILES = frozenset({Status.BROKEN, Status.ERROR, Status.CGO})
"""Statuses judged by the package's own files alone (the others compare with the cgo twin)."""

_MESSAGE_NAMES = 4


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Decided:
    """The verdict of one package on one target, and why."""

    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    c_headers: tuple[str, ...] = ()
    """System headers the package's C files (.c, .cc, .m and the local headers they reach)
    may include here."""


_PLAIN = {v: Decided(verdict=v) for v in Verdict}
"""The verdicts without evidence, shared (most packages' on most targets)."""


@dataclasses.dataclass(kw_only=True, slots=True)
class _Target:
    """What `decide` works with for one target."""

    ctx: ScanContext
    target: Target
    sources: SourceFacts
    facts: Mapping[str, PackageFacts]
    there: Mapping[str, PackageFacts]
    hits: list[Hit]
    existing: Sequence[Hit]

    def rel(self, p: PackageFacts) -> str:
        return self.ctx.relative(p) or p.import_path

    def hit(
        self,
        r: Rule,
        package: str,
        subject: str = "",
        *,
        files: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        condition: str = "",
        evidence: tuple[Evidence, ...] = (),
        values: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.hits.append(
            Hit(
                rule=r,
                package=package,
                subject=subject,
                target=self.target,
                files=files,
                labels=labels,
                condition=condition,
                evidence=evidence,
                values=values,
            )
        )

    def decls(self, p: PackageFacts, names: Sequence[str]) -> dict[str, GoDecls] | None:
        """The declarations of `names` in `p`'s directory (None if any was not read)."""
        out = {}
        for n in names:
            found = self.sources.file(p.dir, n)
            if found is None:
                return None
            out[n] = found
        return out


def _go(p: PackageFacts) -> tuple[str, ...]:
    return tuple(sorted({*p.go_files, *p.cgo_files}))


def decide(
    ctx: ScanContext,
    target: Target,
    statuses: Mapping[str, PackageOnTarget],
    sources: SourceFacts,
    hits: list[Hit],
    *,
    unknown: Collection[str] = (),
) -> dict[str, Decided]:
    """The verdict of every non-standard package of `target` (listed, or in `statuses`);
    appends the hits that explain them to `hits` and drops those of packages not built.
    `unknown`: packages go could not resolve; they get no verdict and break nothing."""
    listing = ctx.listing[target]
    twin = ctx.twin(target)
    tt = _Target(
        ctx=ctx,
        target=target,
        sources=sources,
        facts=ctx.facts[target],
        there=ctx.facts[twin] if twin is not None else {},
        hits=[],
        existing=[h for h in hits if h.target == target],
    )
    project = [p for p in listing.packages if not p.standard and p.import_path not in unknown]
    own: dict[str, Decided] = {}
    lost_of: dict[str, tuple[PackageFacts, tuple[str, ...]]] = {}
    plain = _PLAIN[_FROM_STATUS[Status.PURE]]
    there = tt.there
    cgo = target.cgo
    for p in project:
        ip = p.import_path
        entry = statuses.get(ip)
        with_cgo = there.get(ip)
        if entry is None and (  # (`_own`'s usual: built the same as with cgo)
            cgo
            or with_cgo is None
            or with_cgo is p
            or (with_cgo.go_files == p.go_files and with_cgo.cgo_files == p.cgo_files)
        ):
            own[ip] = plain
            continue
        status = entry.status if entry is not None else Status.PURE
        own[ip] = _own(tt, p, status, lost_of)
    for ip, entry in statuses.items():
        if ip not in own and entry.status is Status.BROKEN:
            own[ip] = Decided(
                verdict=Verdict.BREAKS,
                evidence=(
                    Evidence(
                        file=(entry.dropped_files or ("",))[0].rpartition("/")[0],
                        text="build constraints exclude all Go files",
                    ),
                ),
            )
    # Importers using names only the lost files declare.
    lost = lost_of.keys()
    for q in project if lost_of else ():
        if lost.isdisjoint(q.imports) or own[q.import_path].verdict is Verdict.BREAKS:
            continue
        found = _missing_through_imports(tt, q, lost_of)
        if found:
            own[q.import_path] = Decided(verdict=Verdict.BREAKS, evidence=found)
    shared = ctx.reach(target)  # the graph of every target of its class
    graph = shared.graph
    # Importers of a package that breaks break (go builds every dependency), with what
    # `go build` of the importer prints.
    out = dict(own)
    breaking = [ip for ip, d in own.items() if d.verdict is Verdict.BREAKS]
    upward = _upward(shared.reverse if breaking else {}, breaking)
    through = _ImportBreaks(
        graph=graph,
        own=own,
        failures=_load_failures(tt, own, statuses),
        breaking=frozenset(breaking),
        relevant=frozenset({*breaking, *(ip for ip, _ in upward)}),
    )
    for ip, _ in upward:
        if ip in out and out[ip].verdict is not Verdict.BREAKS:
            out[ip] = Decided(
                verdict=Verdict.BREAKS, evidence=through.evidence(ip, tt.rel(tt.facts[ip]))
            )
    # Main packages reached, or every root of a module without one; a package a pattern
    # names without a wildcard is built whatever it is (`go build ./lib ./...` compiles lib).
    named = _named_roots(ctx, listing.roots, tt)
    mains = (
        []  # (no root is named main on any target, none named: GOROOT std's ~380 roots)
        if not named and ctx.cross.mains.isdisjoint(listing.roots)
        else [
            ip
            for ip in listing.roots
            if (ip in tt.facts and tt.facts[ip].name == "main") or ip in named
        ]
    )
    mains += [
        ip
        for ip, e in statuses.items()
        if ip not in tt.facts and e.status is Status.BROKEN and _was_main(ctx, ip)
    ]
    if mains:
        reached = shared.downward(mains)
        for ip in out:
            if ip not in reached:
                out[ip] = Decided(verdict=Verdict.NOT_BUILT)
        main_set = set(mains)
        degrading = [ip for ip, d in out.items() if d.verdict is Verdict.DEGRADES]
        for m, via in _upward(shared.reverse if degrading else {}, degrading):
            if m in main_set and m in tt.facts and out[m].verdict not in _FAILED:
                out[m] = Decided(
                    verdict=Verdict.DEGRADES,
                    evidence=(
                        Evidence(file=tt.rel(tt.facts[m]), text=f"imports {via}, which degrades"),
                    ),
                )
    not_built = {ip for ip, d in out.items() if d.verdict is Verdict.NOT_BUILT}
    hits[:] = [h for h in hits if h.target != target or h.package not in not_built]
    hits.extend(h for h in tt.hits if h.package not in not_built)
    hits[:] = located.with_evidence(hits, target, (tt.facts, tt.there), sources)
    return out


_MAX_IMPORT_ERRORS = 8
"""Errors of imported packages quoted for one importer (go prints them all)."""


def _load_failures(
    tt: _Target, own: Mapping[str, Decided], statuses: Mapping[str, PackageOnTarget]
) -> dict[str, tuple[str, str]]:
    """(go's error text, its position) of each package that fails to load here (build
    constraints exclude all its files, C files without cgo, a go list error): what go
    prints with an import stack, not compiler errors."""
    out = {}
    for ip, entry in statuses.items():
        decided = own.get(ip)
        p = tt.facts.get(ip)
        if (
            decided is None
            or p is None
            or decided.verdict is not Verdict.BREAKS
            or entry.status not in (Status.BROKEN, Status.ERROR)
            or not decided.evidence
        ):
            continue
        pos = p.error.pos if p.error is not None and entry.status is Status.ERROR else ""
        root = tt.ctx.matrix.module_root
        if pos.startswith(root + "/"):
            pos = pos[len(root) + 1 :]
        out[ip] = (decided.evidence[0].text, pos)
    return out


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class _ImportBreaks:
    """Why importers of packages that break break, in go's words (`stacks`)."""

    graph: Mapping[str, Sequence[str]]
    own: Mapping[str, Decided]
    failures: Mapping[str, tuple[str, str]]
    """Packages that fail to load: (error text, position)."""
    breaking: frozenset[str]
    """The packages that break on their own."""
    relevant: frozenset[str]
    """The packages that break and every package reaching one."""

    def evidence(self, ip: str, directory: str) -> tuple[Evidence, ...]:
        """What `go build ip` prints: the load errors of the packages it imports (with
        their import stacks), else the compiler errors of the packages that fail first."""
        reached = stacks.load_order(ip, self.graph, self.breaking, self.relevant)
        loading = [(q, stk) for q, stk in reached if q in self.failures]
        if loading:
            out = [
                Evidence(file=directory, text=stacks.error_text(stk, *self.failures[q]))
                for q, stk in loading[:_MAX_IMPORT_ERRORS]
            ]
            if len(loading) > _MAX_IMPORT_ERRORS:
                more = len(loading) - _MAX_IMPORT_ERRORS
                out.append(Evidence(file=directory, text=f"(+{more} more packages)"))
            return tuple(out)
        failing = {q for q, _ in reached}
        first = [
            q for q, _ in reached if not (_downward(self.graph, [q]) - {q}) & failing
        ]  # go compiles no importer of a package that failed
        return tuple(e for q in first[:_MAX_IMPORT_ERRORS] for e in self.own[q].evidence)


def _upward(reverse: Mapping[str, Sequence[str]], start: Sequence[str]) -> list[tuple[str, str]]:
    """Every package importing one of `start` (transitively), with the package of `start`
    it reaches first, in breadth-first order."""
    seen = dict.fromkeys(start, "")
    queue = collections.deque((ip, ip) for ip in start)
    out = []
    while queue:
        ip, origin = queue.popleft()
        for importer in reverse.get(ip, ()):
            if importer not in seen:
                seen[importer] = origin
                out.append((importer, origin))
                queue.append((importer, origin))
    return out


def _downward(graph: Mapping[str, Sequence[str]], start: Sequence[str]) -> set[str]:
    """`start` and every package they import, transitively."""
    seen = set(start)
    stack = list(start)
    while stack:
        for imp in graph.get(stack.pop(), ()):
            if imp not in seen:
                seen.add(imp)
                stack.append(imp)
    return seen


def _named_roots(ctx: ScanContext, roots: Sequence[str], tt: _Target) -> frozenset[str]:
    """The roots a pattern without `...` names: by import path, or by a relative directory
    (`./nope`, `./cmd/tool`), as go resolves it. Empty when every pattern is a wildcard."""
    literal = [p for p in ctx.matrix.patterns if "..." not in p]
    if not literal:
        return frozenset()
    dirs = {posixpath.normpath(p) for p in literal if p.startswith(("./", "../")) or p == "."}
    if not dirs:  # ("std", "net": import paths only)
        return frozenset(literal).intersection(roots)
    found: set[str] = set()
    for ip in roots:
        facts = tt.facts.get(ip)
        where = posixpath.normpath(tt.rel(facts) or ".") if facts is not None else ""
        if ip in literal or where in dirs:
            found.add(ip)
    return frozenset(found)


def _was_main(ctx: ScanContext, ip: str) -> bool:
    return ip in ctx.cross.mains


def _own(
    tt: _Target,
    p: PackageFacts,
    status: Status,
    lost_of: dict[str, tuple[PackageFacts, tuple[str, ...]]],
) -> Decided:
    """The verdict of `p` from its own files (importers and reach come later)."""
    verdict = _FROM_STATUS[status]
    if status not in _OWN_FILES:
        # Most packages on most targets: built the same as with cgo (or cgo is on).
        with_cgo = tt.there.get(p.import_path)
        if (
            with_cgo is None
            or tt.target.cgo
            or (with_cgo.go_files == p.go_files and with_cgo.cgo_files == p.cgo_files)
        ):
            return _PLAIN[verdict]
    directory = tt.rel(p)
    if status is Status.BROKEN:
        return Decided(
            verdict=verdict,
            evidence=(
                Evidence(
                    file=directory, text=f"build constraints exclude all Go files in {directory}"
                ),
            ),
        )
    if status is Status.ERROR:
        text = located.go_error_text(p, directory)
        return Decided(verdict=verdict, evidence=(Evidence(file=directory, text=text),))
    if status is Status.CGO:
        missing, headers = _c_includes(tt, p, directory)
        evidence = _preamble_breaks(tt, p) + missing
        if evidence:
            return Decided(verdict=Verdict.BREAKS, evidence=evidence, c_headers=headers)
        return Decided(verdict=verdict, c_headers=headers)
    with_cgo = tt.there.get(p.import_path)
    if with_cgo is None or tt.target.cgo:
        return Decided(verdict=verdict)
    lost = tuple(sorted(set(_go(with_cgo)) - set(_go(p))))
    gained = tuple(sorted(set(_go(p)) - set(_go(with_cgo))))
    if not lost:
        return Decided(verdict=verdict)
    lost_of[p.import_path] = (with_cgo, lost)
    built = tt.decls(p, _go(p))
    left = tt.decls(with_cgo, lost)
    if built is None or left is None:
        return Decided(verdict=verdict)
    from cgotrap.read import leftout

    undefined = leftout.missing_in_package(built, left) + leftout.missing_methods(
        built, "", built, left
    )
    if undefined:
        return Decided(
            verdict=Verdict.BREAKS,
            evidence=_report_missing(tt, p, directory, directory, undefined),
        )
    evidence = _stubs(tt, p, directory, built, gained)
    if not gained:
        # Files that take over may bring their own imports in place of the lost ones
        # (purego's fakecgo for runtime/cgo): only a switch with nothing in its place loses
        # a feature.
        evidence += _dropped_imports(tt, p, directory, left)
    evidence += _lost_registrations(tt, p, directory, built, left)
    if evidence:
        return Decided(verdict=Verdict.DEGRADES, evidence=evidence)
    return Decided(verdict=Verdict.FALLBACK if verdict is Verdict.PURE else verdict)


def _join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"


def _report_missing(
    tt: _Target,
    p: PackageFacts,
    directory: str,
    declared_dir: str,
    missing: Sequence[leftout.MissingName],
) -> tuple[Evidence, ...]:
    evidence: list[Evidence] = []
    for m in missing:
        used = Evidence(file=_join(directory, m.file), line=m.line, text=m.message)
        declared = Evidence(
            file=_join(declared_dir, m.declared_file),
            line=m.declared_line,
            text=f"{m.name.rpartition('.')[2]} is declared here, in a file built only with cgo",
        )
        evidence += [used, declared]
        tt.hit(
            rules.cgo_only_name_undefined,
            p.import_path,
            m.name,
            files=(used.file,),
            evidence=(used, declared),
            values=(
                ("declared", f"{declared.file}:{declared.line}"),
                ("used", f"{used.file}:{used.line}"),
                ("go_error", m.message),
            ),
        )
    return tuple(evidence)


def _missing_through_imports(
    tt: _Target, q: PackageFacts, lost_of: Mapping[str, tuple[PackageFacts, tuple[str, ...]]]
) -> tuple[Evidence, ...]:
    uses = [ip for ip in q.imports if ip in lost_of]
    if not uses:
        return ()
    built = tt.decls(q, _go(q))
    if built is None:
        return ()
    from cgotrap.read import leftout

    evidence: list[Evidence] = []
    for ip in uses:
        with_cgo, lost = lost_of[ip]
        here = tt.facts[ip]
        imported = tt.decls(here, _go(here))
        left = tt.decls(with_cgo, lost)
        if imported is None or left is None:
            continue
        missing = leftout.missing_through_import(
            built, ip, imported, left
        ) + leftout.missing_methods(built, ip, imported, left)
        evidence += _report_missing(tt, q, tt.rel(q), tt.rel(here), missing)
    return tuple(evidence)


def _stubs(
    tt: _Target,
    p: PackageFacts,
    directory: str,
    built: Mapping[str, GoDecls],
    gained: Sequence[str],
) -> tuple[Evidence, ...]:
    """Stubs in the files that replace the cgo files on this port (CGO016)."""
    from cgotrap.read import godecl

    values = godecl.package_error_values(built.values())
    found: list[tuple[str, godecl.Stub]] = []
    for name in gained:
        found += [(name, s) for s in godecl.stubs(built[name], values)]
    if not found:
        return ()
    evidence = tuple(
        Evidence(
            file=_join(directory, name), line=s.line, text=f'{s.qualified_name}: "{s.message}"'
        )
        for name, s in found
    )
    by_message: dict[str, list[str]] = {}
    for _, s in found:
        by_message.setdefault(s.message, []).append(s.qualified_name)
    for message, names in by_message.items():
        shown = ", ".join(names[:_MESSAGE_NAMES]) + (
            f" (+{len(names) - _MESSAGE_NAMES} more)" if len(names) > _MESSAGE_NAMES else ""
        )
        tt.hit(
            rules.stub_fallback,
            p.import_path,
            message,
            files=rel_files(directory, sorted({n for n, s in found if s.message == message})),
            evidence=tuple(e for e in evidence if e.text.endswith(f'"{message}"')),
            values=(("functions", shown), ("fail", "fails" if len(names) == 1 else "fail")),
        )
    return evidence


def _dropped_imports(
    tt: _Target, p: PackageFacts, directory: str, left: Mapping[str, GoDecls]
) -> tuple[Evidence, ...]:
    """Imports of lost files without import "C" that leave the program here (CGO017)."""
    mains_there = [ip for ip, q in tt.there.items() if q.name == "main" and not q.standard]
    evidence: list[Evidence] = []
    for name, decls in sorted(left.items()):
        if any(i.path == "C" for i in decls.imports):
            continue
        for imp in decls.imports:
            if imp.path in _INHERENT:
                continue
            losing = [
                m
                for m in mains_there
                if imp.path in tt.there[m].deps
                and (m not in tt.facts or imp.path not in tt.facts[m].deps)
            ]
            if not mains_there:
                losing = [
                    ip
                    for ip, q in tt.there.items()
                    if imp.path in q.deps and ip in tt.facts and imp.path not in tt.facts[ip].deps
                ]
            if not losing:
                continue
            ev = Evidence(file=_join(directory, name), line=imp.line, text=f'import "{imp.path}"')
            evidence.append(ev)
            tt.hit(
                rules.cgo_tag_drops_import,
                p.import_path,
                imp.path,
                files=(ev.file,),
                evidence=(ev,),
                values=(
                    (
                        "mains",
                        ", ".join(losing[:_MESSAGE_NAMES])
                        + (
                            f" +{len(losing) - _MESSAGE_NAMES} more"
                            if len(losing) > _MESSAGE_NAMES
                            else ""
                        ),
                    ),
                ),
            )
    return tuple(evidence)


def _lost_registrations(
    tt: _Target,
    p: PackageFacts,
    directory: str,
    built: Mapping[str, GoDecls],
    left: Mapping[str, GoDecls],
) -> tuple[Evidence, ...]:
    """Registrations in the `init` of lost files that no built file makes (CGO018)."""
    from cgotrap.read import leftout

    evidence: list[Evidence] = []
    for name, call in leftout.lost_registrations(built, left):
        ev = Evidence(file=_join(directory, name), line=call.line, text=call.text)
        evidence.append(ev)
        tt.hit(
            rules.cgo_init_registration_lost,
            p.import_path,
            call.text,
            files=(ev.file,),
            evidence=(ev,),
        )
    return tuple(evidence)


def _preamble_breaks(tt: _Target, p: PackageFacts) -> tuple[Evidence, ...]:
    """A libc header the target lacks, included for sure by a cgo preamble (CGO004)."""
    return tuple(
        Evidence(file=(h.files or (tt.rel(p),))[0], text=f"#include <{h.subject}>")
        for h in tt.existing
        if h.rule is rules.header_missing_on_target
        and h.package == p.import_path
        and not h.condition
    )


def _c_includes(
    tt: _Target, p: PackageFacts, directory: str
) -> tuple[tuple[Evidence, ...], tuple[str, ...]]:
    """Libc headers the target lacks, included for sure by the package's C files here
    (CGO004 hits), and every system header those files may include here."""
    includes = tt.sources.c_includes.get(p.import_path, ())
    if not includes or not tt.target.cgo:
        return (), ()
    from cgotrap.read import cinclude

    libc = tt.ctx.headers.for_target(tt.target)
    compiled = {*p.c_files, *p.cxx_files, *p.m_files}
    names: set[str] = set()
    for flags in tt.ctx.cross.cgo_flags.get(p.import_path, ()):
        names |= cinclude.flag_macro_names(flags)
    macros = cinclude.target_macros(
        tt.ctx.predefines.for_target(tt.target) or _NO_MACROS,
        (*p.cgo_cppflags, *p.cgo_cflags),
        package_flag_names=names,
        defined_in_files=tt.sources.c_defined.get(p.import_path, frozenset()),
    )
    out: list[Evidence] = []
    headers: dict[str, None] = {}
    for inc in includes:
        root = inc.via[0].rpartition(":")[0] if inc.via else inc.file
        if root not in compiled or inc.local or inc.header in p.h_files:
            continue
        active = inc.active(macros)
        if active is cpp.Truth.FALSE:
            continue
        headers[inc.header] = None
        if libc is None or not tt.ctx.headers.is_libc_header(inc.header):
            continue
        if libc.has_header(inc.header):
            continue
        if libc.family == "darwin" and inc.header in tt.ctx.headers.bsd_headers:
            continue
        ev = Evidence(file=_join(directory, inc.file), line=inc.line, text=inc.text)
        condition = inc.undecided(macros) if active is cpp.Truth.UNKNOWN else ""
        tt.hit(
            rules.header_missing_on_target,
            p.import_path,
            inc.header,
            files=(ev.file,),
            labels=(libc.label,),
            condition=condition,
            evidence=(ev,),
        )
        if active is cpp.Truth.TRUE:
            out.append(ev)
    return tuple(out), tuple(sorted(headers))
