"""What the Go files left out of a build take with them (with cgo off: the cgo files and the
files constrained on `cgo`), predicted from their declarations (`read.godecl`):

- names only they declare, used by the package's built files or by an importer: go's
  `undefined: fastHash` / `undefined: orphanc.Twice`;
- methods only they declare, selected on an operand whose type is plain from its
  declaration: go's `c.FastAdd undefined (type *Counter has no field or method FastAdd)`;
- registrations their `init` functions make that no built file makes
  (`graphdriver.MustRegister("btrfs", Init)`): the program builds and lacks the feature.

Files are keyed by name (as the caller keys them); every function is pure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from cgotrap.read.godecl import Decl, DeclKind, GoDecls, InitCall, MethodUse


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MissingName:
    """A use go will reject as `undefined: NAME`: only a file not in the build declares it."""

    name: str
    """As go prints it: "fastHash", or "orphanc.Twice" for a use through an import."""
    file: str
    """The file using it (as the caller keys its files)."""
    line: int
    """The first line using it."""
    declared_file: str
    """The left-out file declaring it."""
    declared_line: int
    """The line of the declaration."""
    go_error: str = ""
    """go's error when it is not "undefined: NAME": "c.FastAdd undefined (type *Counter has
    no field or method FastAdd)" for a method."""

    @property
    def message(self) -> str:
        """go's error for the use."""
        return self.go_error or f"undefined: {self.name}"


def _declared(files: Mapping[str, GoDecls]) -> dict[str, tuple[str, Decl]]:
    out: dict[str, tuple[str, Decl]] = {}
    for name, file in sorted(files.items()):
        for decl in file.decls:
            if decl.kind is not DeclKind.METHOD:
                out.setdefault(decl.name, (name, decl))
    return out


def missing_in_package(
    built: Mapping[str, GoDecls], left_out: Mapping[str, GoDecls]
) -> tuple[MissingName, ...]:
    """Uses in the `built` files of a package of names only its `left_out` files declare
    (with cgo off: the cgo files and files constrained on cgo). Files are keyed by name.

    Methods are not in package scope: a method declared only in a left-out file is not
    found here (go's "x.M undefined (type T has no field or method M)").
    """
    scope = frozenset().union(*(f.package_names() for f in built.values()))
    elsewhere = {k: v for k, v in _declared(left_out).items() if k not in scope}
    out = []
    for name, file in sorted(built.items()):
        for use in file.uses:
            found = elsewhere.get(use.name)
            if found is not None:
                out.append(
                    MissingName(
                        name=use.name,
                        file=name,
                        line=use.line,
                        declared_file=found[0],
                        declared_line=found[1].line,
                    )
                )
    return tuple(out)


def missing_through_import(
    built: Mapping[str, GoDecls],
    import_path: str,
    imported_built: Mapping[str, GoDecls],
    imported_left_out: Mapping[str, GoDecls],
) -> tuple[MissingName, ...]:
    """Uses `pkg.Name` in the `built` files of an importer of `import_path` where only the
    left-out files of the imported package declare Name (go: "undefined: pkg.Name")."""
    scope = frozenset().union(*(f.package_names() for f in imported_built.values()))
    elsewhere = {k: v for k, v in _declared(imported_left_out).items() if k not in scope}
    out = []
    for name, file in sorted(built.items()):
        for use in file.qualified:
            found = elsewhere.get(use.name) if use.import_path == import_path else None
            if found is not None and use.name[:1].isupper():
                out.append(
                    MissingName(
                        name=f"{use.local}.{use.name}",
                        file=name,
                        line=use.line,
                        declared_file=found[0],
                        declared_line=found[1].line,
                    )
                )
    return tuple(out)


def missing_methods(
    users: Mapping[str, GoDecls],
    import_path: str,
    built: Mapping[str, GoDecls],
    left_out: Mapping[str, GoDecls],
) -> tuple[MissingName, ...]:
    """Selectors `x.M` in `users` (files keyed by name) where x's type is a type of the
    package whose files are `built` / `left_out` and only a left-out file declares method M
    on it (go: "x.M undefined (type *T has no field or method M)"). `import_path`: the
    package's import path when `users` import it, "" when they are its own built files.

    Conservative: only types whose method set is exactly their declared methods (`closed`:
    no embedded field, not an interface or alias) and without a field M.
    """
    types = {d.name: d for f in built.values() for d in f.decls if d.kind is DeclKind.TYPE}
    have = {
        (d.receiver, d.name) for f in built.values() for d in f.decls if d.kind is DeclKind.METHOD
    }
    lost: dict[tuple[str, str], tuple[str, Decl]] = {}
    for name, file in sorted(left_out.items()):
        for d in file.decls:
            if d.kind is DeclKind.METHOD:
                lost.setdefault((d.receiver, d.name), (name, d))
    out = []
    for name, file in sorted(users.items()):
        for written in file.method_uses:
            if written.import_path != import_path or (
                import_path and not written.name[:1].isupper()
            ):
                continue
            use = _through_field(written, types) if written.field else written
            if use is None or (import_path and written.field):
                continue
            declared = types.get(use.type_name)
            key = (use.type_name, use.name)
            found = lost.get(key)
            if (
                declared is None
                or not declared.closed
                or use.name in declared.fields
                or key in have
                or found is None
            ):
                continue
            qualified = f"{use.local}.{use.type_name}" if use.local else use.type_name
            star = "*" if use.pointer else ""
            out.append(
                MissingName(
                    name=f"{qualified}.{use.name}",
                    file=name,
                    line=use.line,
                    declared_file=found[0],
                    declared_line=found[1].line,
                    go_error=f"{use.var}.{use.name} undefined (type {star}{qualified} has no "
                    f"field or method {use.name})",
                )
            )
    return tuple(out)


def _through_field(use: MethodUse, types: Mapping[str, Decl]) -> MethodUse | None:
    """`x.f.M` as a use on f's type, when x's type is closed and declares f of a named type
    of the package; else None."""
    owner = types.get(use.type_name)
    if owner is None or not owner.closed:
        return None
    for field in owner.field_types:
        if field.name == use.field:
            return dataclasses.replace(
                use, type_name=field.type_name, pointer=field.pointer, field=""
            )
    return None


def lost_registrations(
    built: Mapping[str, GoDecls], left_out: Mapping[str, GoDecls]
) -> tuple[tuple[str, InitCall], ...]:
    """Registering calls in the `init` of `left_out` files (by file name) that no `built`
    file of the package makes too (same callee, same first argument): with cgo off the
    program silently lacks what they registered. A key that is not a literal matches any:
    go-sqlite3's `sql.Register(driverName, ...)` and its mock's `sql.Register("sqlite3",
    ...)` may register the same name."""
    kept: dict[tuple[str, str], set[str]] = {}
    for file in built.values():
        for c in file.init_calls:
            kept.setdefault(c.callee, set()).add(c.key if c.literal else "")
    out = []
    for name, file in sorted(left_out.items()):
        for c in file.init_calls:
            keys = kept.get(c.callee)
            if keys is None or (c.literal and c.key not in keys and "" not in keys):
                out.append((name, c))
    return tuple(out)
