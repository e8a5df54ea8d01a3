"""Build contexts: what go/build's `Context` says about one target, for all targets at once.

A `BuildContext` is go/build's Context reduced to what file selection depends on: GOOS,
GOARCH, CGO_ENABLED, the compiler ("gc"), release tags (`go1.1` ... `go1.N` for the Go
version in use), tool tags (GOEXPERIMENT and architecture feature tags such as
`goexperiment.regabiargs`, `amd64.v1`) and user build tags (`-tags`).

Tool tags come from `Port.tool_tags` in `data/ports.json`, which `scripts/gen_ports.py`
regenerated from `go list -f '{{context.ToolTags}}'` per port (with the GOAMD64/GOARM/...
and GOEXPERIMENT variables unset, i.e. Go's defaults) using go1.27.3. A newer Go changes the
default experiments: rerun `python scripts/gen_ports.py` with that Go on PATH.

A `ContextSet` orders contexts and answers, for any tag, the bitmask of contexts where the
tag is satisfied (bit i = context i). Build constraints are then evaluated once per file
for every context (`Constraint.eval_mask`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from cgotrap import toolchain
from cgotrap.errors import UsageError
from cgotrap.targets import PortTable, Target, port_table


@functools.cache  # (one go version, a context per target: ~100 with --targets all)
def release_tags(go_version: str) -> tuple[str, ...]:
    """go/build's default ReleaseTags for a Go version: "go1.27.3" -> go1.1 ... go1.27."""
    match = re.match(r"go1\.(\d+)", go_version)
    if match is None:
        raise UsageError(f"cannot tell the Go release from version {go_version!r}")
    return tuple(f"go1.{i}" for i in range(1, int(match.group(1)) + 1))


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BuildContext:
    """The parts of go/build's Context that decide which files build."""

    goos: str
    """GOOS."""
    goarch: str
    """GOARCH."""
    cgo_enabled: bool
    """CGO_ENABLED: the `cgo` tag holds and cgo files are used."""
    compiler: str = "gc"
    """`ctxt.Compiler`: the tag "gc" holds."""
    release_tags: tuple[str, ...] = ()
    """`go1.1` ... `go1.N`."""
    tool_tags: tuple[str, ...] = ()
    """GOEXPERIMENT and architecture feature tags, as `go list` sets `context.ToolTags`."""
    build_tags: tuple[str, ...] = ()
    """User tags (`-tags`)."""
    unix: bool = False
    """Whether GOOS is in `internal/syslist.UnixOS` (the `unix` tag holds)."""

    @property
    def target(self) -> Target:
        """The `Target` this context builds for."""
        return Target(goos=self.goos, goarch=self.goarch, cgo=self.cgo_enabled)

    @property
    def name(self) -> str:
        """ "linux/amd64 cgo=1"."""
        return f"{self.goos}/{self.goarch} cgo={int(self.cgo_enabled)}"

    def match_tag(self, name: str) -> bool:
        """go/build's `matchTag`, in Go's order of checks."""
        if self.cgo_enabled and name == "cgo":
            return True
        if name in (self.goos, self.goarch, self.compiler):
            return True
        if self.goos == "android" and name == "linux":
            return True
        if self.goos == "illumos" and name == "solaris":
            return True
        if self.goos == "ios" and name == "darwin":
            return True
        if name == "unix" and self.unix:
            return True
        if name == "boringcrypto":
            name = "goexperiment.boringcrypto"  # the old name of the experiment
        return name in self.build_tags or name in self.tool_tags or name in self.release_tags


def arch_level_tags(goarch: str, value: str, table: PortTable | None = None) -> tuple[str, ...]:
    """internal/buildcfg's gogoarchTags for an explicit GOAMD64/GOARM/... value.

    "amd64", "v3" -> amd64.v1 amd64.v2 amd64.v3; "arm64", "v9.1" -> arm64.v9.0 arm64.v9.1
    arm64.v8.0 ... arm64.v8.6 (the levels and what they imply are ports.json's
    `ArchLevels`). Raises UsageError for a value go rejects; () for a GOARCH without levels.
    """
    arch = (table or port_table()).arch_levels.get(goarch)
    if arch is None:
        return ()
    level = value.split(",", 1)[0]  # GOARM=7,softfloat, GOARM64=v8.1,lse
    tags = arch.levels.get(level)
    if tags is None:
        raise UsageError(f"invalid {arch.env}={value!r} for GOARCH={goarch}")
    return tags


def apply_goexperiment(tags: Sequence[str], goexperiment: str, goarch: str) -> tuple[str, ...]:
    """Tool tags with a GOEXPERIMENT list applied on top of the port's defaults.

    "foo" turns goexperiment.foo on, "nofoo" off, "none" clears them all, "regabi" is both
    regabiwrappers and regabiargs (which stay on where the register ABI is always on).
    Experiment names are not checked against Go's list (go itself refuses unknown ones).
    """
    experiments = [t for t in tags if t.startswith("goexperiment.")]
    others = [t for t in tags if not t.startswith("goexperiment.")]
    for raw in goexperiment.split(","):
        name = raw.strip()
        if not name:
            continue
        if name == "none":
            experiments = []
            continue
        on = not name.startswith("no")
        base = name[2:] if not on else name
        names = ["regabiwrappers", "regabiargs"] if base == "regabi" else [base]
        for n in names:
            tag = f"goexperiment.{n}"
            if on and tag not in experiments:
                experiments.append(tag)
            elif not on and tag in experiments:
                experiments.remove(tag)
    regabi = ("goexperiment.regabiwrappers", "goexperiment.regabiargs")
    if goarch in port_table().regabi_arch:
        experiments += [t for t in regabi if t not in experiments]
    else:
        experiments = [t for t in experiments if t not in regabi]
    return (*experiments, *others)


def make_context(
    goos: str,
    goarch: str,
    cgo_enabled: bool,
    *,
    go_version: str,
    build_tags: Sequence[str] = (),
    table: PortTable | None = None,
    env: Mapping[str, str] | None = None,
) -> BuildContext:
    """The context go uses for one port.

    Tool tags come from the port table (Go's defaults). With `env` (e.g. `os.environ`),
    an explicit GOAMD64/GOARM/GOARM64/GO386/GOMIPS(64)/GOPPC64/GORISCV64 for this GOARCH
    replaces the architecture-level tags and GOEXPERIMENT is applied, as go would.
    """
    table = table or port_table()
    port = table.get(goos, goarch)
    if port is None:
        raise UsageError(f"unknown port {goos}/{goarch}")
    tool_tags = port.tool_tags
    if env:
        arch = table.arch_levels.get(goarch)
        # (not a level from the GOENV file or go.env: go's build context ignores those,
        # see discover.goenv.GoEnvironment)
        from_files: frozenset[str] = getattr(env, "from_files", frozenset())
        level = env.get(arch.env, "") if arch is not None and arch.env not in from_files else ""
        if level:
            arch_free = [t for t in tool_tags if not t.startswith(f"{goarch}.")]
            tool_tags = (*arch_free, *arch_level_tags(goarch, level, table))
        experiment = env.get("GOEXPERIMENT", "")
        if experiment:
            tool_tags = apply_goexperiment(tool_tags, experiment, goarch)
    return BuildContext(
        goos=goos,
        goarch=goarch,
        cgo_enabled=cgo_enabled,
        release_tags=release_tags(go_version),
        tool_tags=tuple(tool_tags),
        build_tags=tuple(build_tags),
        unix=goos in table.unix_os,
    )


def default_go_version() -> str:
    """The Go version to take release tags from: the installed go, else the port table's."""
    return toolchain.version("go") or port_table().go_version


class ContextSet:
    """An ordered set of build contexts and the tag → bitmask table over them.

    Bit i of every mask stands for `contexts[i]`. Masks for tags are computed on first use
    and cached, so evaluating a constraint over all contexts is a few int operations.
    """

    __slots__ = (
        "_indices",
        "_masks",
        "all_mask",
        "cgo_mask",
        "contexts",
        "line_memo",
        "name_memo",
    )

    def __init__(self, contexts: Iterable[BuildContext]) -> None:
        self.contexts: tuple[BuildContext, ...] = tuple(contexts)
        """The contexts, in bit order."""
        if not self.contexts:
            raise UsageError("no build contexts selected")
        self.all_mask: int = (1 << len(self.contexts)) - 1
        """Every context's bit."""
        self._masks: dict[str, int] = self._holding()
        self.cgo_mask: int = self._bits(lambda ctx: ctx.cgo_enabled)
        """Contexts with CGO_ENABLED=1."""
        self.line_memo: dict[str, tuple[int, str]] = {}
        """Constraint line -> (mask, syntax error): filled by the directory evaluation."""
        self.name_memo: dict[str, int] = {}
        """A file name's part from its first "_" on ("_linux_amd64.go") -> the contexts its
        name rules accept: filled by the directory evaluation."""
        self._indices: dict[int, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.contexts)

    def _bits(self, predicate: Callable[[BuildContext], bool]) -> int:
        mask = 0
        for i, ctx in enumerate(self.contexts):
            if predicate(ctx):
                mask |= 1 << i
        return mask

    def tag_mask(self, tag: str) -> int:
        """Contexts where `tag` is satisfied (go/build's matchTag)."""
        mask = self._masks.get(tag)
        if mask is None:  # (a tag that holds nowhere, or "boringcrypto")
            mask = 0
            if tag == "boringcrypto":
                for i, ctx in enumerate(self.contexts):
                    if ctx.match_tag(tag):
                        mask |= 1 << i
            self._masks[tag] = mask
        return mask

    def _holding(self) -> dict[str, int]:
        """The mask of every tag that holds on some context, from the contexts' own tags
        (`BuildContext.match_tag`'s every way to say yes but one: "boringcrypto", which
        `tag_mask` asks each context about), in one pass rather than one per tag."""
        masks: dict[str, int] = {}
        # (the tag lists are the same tuples in most contexts: each is read once)
        lists: dict[tuple[str, ...], int] = {}
        for i, ctx in enumerate(self.contexts):
            bit = 1 << i
            holding = [ctx.goos, ctx.goarch, ctx.compiler]
            if ctx.cgo_enabled:
                holding.append("cgo")
            if ctx.unix:
                holding.append("unix")
            also = {"android": "linux", "illumos": "solaris", "ios": "darwin"}.get(ctx.goos)
            if also is not None:
                holding.append(also)
            for tag in holding:
                masks[tag] = masks.get(tag, 0) | bit
            for tags in (ctx.build_tags, ctx.tool_tags, ctx.release_tags):
                lists[tags] = lists.get(tags, 0) | bit
        for tags, bits in lists.items():
            for tag in tags:
                masks[tag] = masks.get(tag, 0) | bits
        masks.pop("boringcrypto", None)
        return masks

    def indices(self, mask: int) -> tuple[int, ...]:
        """The context indices whose bits are set in `mask` (kept: the same few masks recur
        in every directory)."""
        got = self._indices.get(mask)
        if got is None:
            bits = bin(mask)[:1:-1]  # "0b1101"[:1:-1] == "1011": bit i at index i
            got = self._indices[mask] = tuple([i for i, bit in enumerate(bits) if bit == "1"])
        return got

    @classmethod
    def matrix(
        cls,
        *,
        go_version: str | None = None,
        build_tags: Sequence[str] = (),
        cgo_modes: Sequence[bool] = (False, True),
        table: PortTable | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ContextSet:
        """Every port × cgo mode (port-major, `go tool dist list` order): 94 contexts."""
        table = table or port_table()
        version = go_version or default_go_version()
        return cls(
            make_context(
                port.goos,
                port.goarch,
                cgo,
                go_version=version,
                build_tags=build_tags,
                table=table,
                env=env,
            )
            for port in table.ports
            for cgo in cgo_modes
        )

    @classmethod
    def for_targets(
        cls,
        targets: Iterable[Target],
        *,
        go_version: str | None = None,
        build_tags: Sequence[str] = (),
        table: PortTable | None = None,
        env: Mapping[str, str] | None = None,
    ) -> ContextSet:
        """One context per target (libc variants do not change file selection)."""
        table = table or port_table()
        version = go_version or default_go_version()
        return cls(
            make_context(
                t.goos,
                t.goarch,
                t.cgo,
                go_version=version,
                build_tags=build_tags,
                table=table,
                env=env,
            )
            for t in targets
        )
