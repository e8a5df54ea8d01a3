"""pyelftools' record layouts, unpacked with one `struct` call per record.

pyelftools describes every ELF record (section header, program header, dynamic entry, symbol)
as a construct `Struct` and parses it field by field, a stream read and a dictionary update
each: ~10 µs a record, which made the 30-50 section headers of a Go binary and the symbols of
its version needs most of the time it takes to read one. `FlatStruct.of(struct)` turns such a
description, when it is a flat run of fixed-size numeric fields (optionally named through an
`Enum` that passes unknown values through) and computed `Value`s, into one `struct.Struct`.
The layout itself (field order, sizes, byte order, enum names) stays pyelftools': nothing here
knows ELF. A description that is not flat gives None, and the caller parses with construct.

`tests/unit/test_inspect_flat.py` checks, on real binaries and on random bytes, that a flat
struct gives exactly what construct gives, and that the records cgotrap reads are flat.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from elftools.construct import Pass
from elftools.construct.adapters import MappingAdapter
from elftools.construct.core import FormatField, Value

# (name, decoding map or None, computed-value function or None) per field
_Field = tuple[str, Mapping[Any, Any] | None, Callable[[Any], Any] | None]


class FlatStruct:
    """A flat construct `Struct`, unpacked with `struct`; see the module docstring."""

    __slots__ = ("_computed", "_fields", "_packer", "size")

    def __init__(self, packer: struct.Struct, fields: tuple[_Field, ...], size: int) -> None:
        self._packer = packer
        self._fields = fields
        self._computed = any(func is not None for _, _, func in fields)
        self.size = size
        """Bytes one record takes (the construct's `sizeof()`)."""

    @classmethod
    def of(cls, construct: Any, *, prefix: bool = False) -> FlatStruct | None:
        """The flat form of `construct`; None if it is not flat.

        With `prefix`, the leading flat fields only (for a record whose later fields are not
        flat and not needed: a symbol's `st_name`); `size` is still the whole record's.
        """
        try:
            size = int(construct.sizeof())
        except Exception:  # noqa: BLE001  # a dynamic size (construct raises SizeofError)
            return None
        codes: list[str] = []
        fields: list[_Field] = []
        byte_order = ""
        for sub in getattr(construct, "subcons", None) or ():
            field: Any = sub
            decoding: Mapping[Any, Any] | None = None
            if type(sub) is MappingAdapter and sub.decdefault is Pass:
                field, decoding = sub.subcon, sub.decoding
            if type(field) is FormatField and field.name:
                order, code = field.packer.format[0], field.packer.format[1:]
                if byte_order not in ("", order) or order not in "<>":
                    return None
                byte_order = order
                codes.append(code)
                fields.append((field.name, decoding, None))
            elif type(sub) is Value and sub.name:
                fields.append((sub.name, None, sub.func))
            elif prefix and fields:
                break
            else:
                return None
        if not codes:
            return None
        packer = struct.Struct(byte_order + "".join(codes))
        if packer.size > size or (not prefix and packer.size != size):
            return None
        if prefix:
            packer = struct.Struct(f"{byte_order}{''.join(codes)}{size - packer.size}x")
        return cls(packer, tuple(fields), size)

    def unpack(self, raw: bytes, offset: int = 0) -> dict[str, Any]:
        """The record at `offset` of `raw` (which must hold `size` bytes from there)."""
        return self._record(self._packer.unpack_from(raw, offset))

    def iter_unpack(self, raw: bytes) -> Iterator[dict[str, Any]]:
        """Every record of `raw` (a whole number of records), in order."""
        for values in self._packer.iter_unpack(raw):
            yield self._record(values)

    def _record(self, values: tuple[Any, ...]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        index = 0
        for name, decoding, func in self._fields:
            if func is not None:
                record[name] = func(record)
                continue
            value = values[index]
            index += 1
            record[name] = value if decoding is None else decoding.get(value, value)
        return record


class Strings:
    """A string table read once, looked up like pyelftools' `get_string` (which reads the file
    64 bytes at a time for every string).

    A string that does not end inside the bytes read is left to `fallback` (the library's
    `get_string`, which reads on past the table as it always did).
    """

    __slots__ = ("_fallback", "_raw")

    def __init__(self, raw: bytes, fallback: Callable[[int], str]) -> None:
        self._raw = raw
        self._fallback = fallback

    def get(self, offset: int) -> str:
        """The NUL-terminated string at `offset`, decoded as pyelftools decodes it."""
        raw = self._raw
        end = raw.find(b"\x00", offset) if 0 <= offset < len(raw) else -1
        if end < 0:
            return self._fallback(offset)
        return raw[offset:end].decode("utf-8", errors="replace")
