"""One typed decoder for every bundled data file: a parsed JSON value and a record type in,
the frozen record out, or a one-line `DataError` naming the file and the key.

The record types (`cgotrap.data.records`) say the shape; this module walks them. It knows
the few types the data uses: `str`, `int`, `bool`, `Literal[...]`, `StrEnum`s, `X | None`,
`tuple[X, ...]`, `frozenset[X]`, `dict[str, X]`, nested records, and `Annotated[X, Shape(...)]`
for a value with a name and a check ("a macro", "a version"). A field's JSON key is its
name unless its metadata says otherwise (`field(metadata={"json": "GOOS"})`).

Why not jsonschema at run time: importing it costs ~0.1 s, and the schemas
(`data/schema/*.schema.json`) are already checked by the tests and by every
`scripts/gen_*` before it writes. Why not msgspec: 18-40 ms to import on this machine, more
than decoding any file here takes, and a compiled dependency for seven small files.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from cgotrap.errors import DataError

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Shape:
    """What an `Annotated` value is, for the error message, and an extra check of it."""

    noun: str
    """ "a macro": a bad value reads "macros['a b'] is not a macro"."""
    check: Callable[[Any], bool] | None = None
    """True for a good (decoded) value; None: the type is all there is to check."""


class _Mismatch(Exception):  # noqa: N818 (internal signal, never leaves this module)
    """A value that does not fit; `where` grows ("[3]", ".GOOS") as it travels up."""

    def __init__(self, problem: str, *, vocabulary: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.vocabulary = vocabulary
        """The value is outside a fixed vocabulary: the message names what it should be."""
        self.where: list[str] = []  # innermost first


def decode(file: str, value: Any, record: type[T]) -> T:
    """`value` (from `json.loads` of `file`) as a `record`; raises `DataError` on any
    mismatch: "ports.json: ports[3] has no key 'GOARCH'"."""
    try:
        result: T = _decoder(typing.cast(Any, record))(value)
    except _Mismatch as bad:
        path = "".join(reversed(bad.where)).removeprefix(".")
        problem = bad.problem
        if bad.vocabulary:  # "policies[2].kind is an unknown kind: 'nope'"
            problem = f"is an unknown {path.rpartition('.')[2].partition('[')[0]}: {problem}"
        raise DataError(f"{file}: {path or 'the document'} {problem}") from None
    return result


Decoder = Callable[[Any], Any]


@functools.cache
def _decoder(tp: Any) -> Decoder:
    """The function that decodes a JSON value into `tp`: built once per type, so decoding
    a file walks its values without asking `typing` again."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _annotated(_decoder(typing.get_args(tp)[0]), typing.get_args(tp)[1])
    if tp in (str, bool, int):
        return _scalar(tp)
    if origin is Literal:
        return _literal(typing.get_args(tp))
    if origin in (typing.Union, types.UnionType):
        (only,) = [a for a in typing.get_args(tp) if a is not type(None)]  # `X | None` only
        return _optional(_decoder(only))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp)
    if origin in (tuple, frozenset):
        return _sequence(origin, typing.get_args(tp)[0])
    if origin is dict:
        return _mapping(*typing.get_args(tp))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record(tp)
    raise TypeError(f"cgotrap.data.decoder cannot decode {tp!r}")  # a bug in a record type


def _show(value: Any) -> str:
    kinds: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}
    return kinds.get(type(value)) or repr(value)


_NOUNS: dict[Any, str] = {str: "a string", int: "an integer", bool: "true or false"}


def _plural(tp: Any) -> str:
    if typing.get_origin(tp) is typing.Annotated:
        noun: str = typing.get_args(tp)[1].noun
    elif dataclasses.is_dataclass(tp) or typing.get_origin(tp) is dict:
        noun = "an object"
    else:
        noun = _NOUNS.get(tp, "a value")
    return noun.partition(" ")[2] + "s"  # "a macro" -> "macros"


def _annotated(inner: Decoder, shape: Shape) -> Decoder:
    def decode(value: Any) -> Any:
        try:
            decoded = inner(value)
        except _Mismatch:
            raise _Mismatch(f"is not {shape.noun}: {value!r}") from None
        if shape.check is not None and not shape.check(decoded):
            raise _Mismatch(f"is not {shape.noun}: {value!r}")
        return decoded

    return decode


def _scalar(tp: type) -> Decoder:
    def decode(value: Any) -> Any:
        if type(value) is not tp:
            raise _Mismatch(f"must be {_NOUNS[tp]}, not {_show(value)}")
        return value

    return decode


def _literal(allowed: tuple[Any, ...]) -> Decoder:
    def decode(value: Any) -> Any:
        if value not in allowed or type(value) is not type(allowed[0]):
            raise _Mismatch(repr(value), vocabulary=True)
        return value

    return decode


def _optional(inner: Decoder) -> Decoder:
    return lambda value: None if value is None else inner(value)


def _enum(tp: type[enum.Enum]) -> Decoder:
    def decode(value: Any) -> Any:
        try:
            return tp(value)
        except ValueError:
            raise _Mismatch(repr(value), vocabulary=True) from None

    return decode


def _sequence(container: type, item: Any) -> Decoder:
    each = _decoder(item)
    expected = f"must be a list of {_plural(item)}"

    def decode(value: Any) -> Any:
        if not isinstance(value, list):
            raise _Mismatch(f"{expected}, not {_show(value)}")
        if item is str:
            if not all(type(v) is str for v in value):
                bad = next(v for v in value if type(v) is not str)
                raise _Mismatch(f"{expected}, not {bad!r} among them")
            return container(value)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(each(v))
            except _Mismatch as bad:
                bad.where.append(f"[{i}]")
                raise
        return container(out)

    return decode


def _mapping(key: Any, item: Any) -> Decoder:
    each_key, each = _decoder(key), _decoder(item)
    plain = key is str and item is str

    def decode(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(f"must be an object, not {_show(value)}")
        if plain and all(type(v) is str for v in value.values()):
            return dict(value)
        out = {}
        for k, v in value.items():
            try:
                out[each_key(k)] = each(v)
            except _Mismatch as bad:
                bad.where.append(f"[{k!r}]")
                raise
        return out

    return decode


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    """How one field of a record is read from its JSON object."""

    name: str
    key: str
    decode: Decoder
    required: bool
    version: Any
    """The one value of a `version: Literal[N]` field, checked first; None elsewhere."""


def _record(record: type) -> Decoder:
    hints = typing.get_type_hints(record, include_extras=True)
    fields = [
        _Field(
            name=f.name,
            key=f.metadata.get("json", f.name),
            decode=_decoder(hints[f.name]),
            required=f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
            version=typing.get_args(hints[f.name])[0]
            if f.name == "version" and typing.get_origin(hints[f.name]) is Literal
            else None,
        )
        for f in dataclasses.fields(record)
        if f.init
    ]

    def decode(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch(f"must be an object, not {_show(value)}")
        kwargs: dict[str, Any] = {}
        for field in fields:
            if field.key not in value:
                if field.required:
                    raise _Mismatch(f"has no key {field.key!r}")
                continue
            raw = value[field.key]
            if field.version is not None and raw != field.version:
                raise _Mismatch(f"is not format version {field.version} (version: {raw!r})")
            try:
                kwargs[field.name] = field.decode(raw)
            except _Mismatch as bad:
                bad.where.append(f".{field.key}")
                raise
        return record(**kwargs)

    return decode
