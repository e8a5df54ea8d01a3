"""What every scripts/gen_*.py does last: check its generated file, then write it or `--check` it.

A bundled data file (under src/cgotrap/data/) is validated before anything is written: against
its JSON Schema (src/cgotrap/data/schema/<name>.schema.json) and by the decoder the run time
uses (`cgotrap.data.decode` into the file's record type), so a generator cannot write a file
that cgotrap would refuse.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "cgotrap" / "data"


def schema_path(name: str) -> Path:
    """The schema of the data file `name` ("policies/run_targets.json")."""
    return DATA / "schema" / f"{Path(name).stem}.schema.json"


def validate(name: str, document: object) -> list[str]:
    """Every problem of the data file `name` (relative to src/cgotrap/data), one line each."""
    import jsonschema  # a test/dev dependency, never imported by cgotrap itself

    if str(DATA.parents[1]) not in sys.path:
        sys.path.insert(0, str(DATA.parents[1]))  # src/, for a checkout without the install

    from cgotrap import data
    from cgotrap.data import records
    from cgotrap.errors import DataError

    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = [
        f"{name}: {'/'.join(map(str, error.absolute_path)) or 'the document'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]
    (record,) = [r for r in records.all_files() if name == r.FILE]
    try:
        data.decode(document, record)
    except DataError as exc:
        problems.append(str(exc))
    return problems


def write_or_check(path: Path, text: str, *, check: bool, script: str) -> int:
    """Write `text` to `path`; with `check`, exit status 1 (and say so) if `path` differs.

    A data file that fails its schema or the decoder is not written: exit status 1.
    """
    if path.is_relative_to(DATA) and path.suffix == ".json":
        problems = validate(path.relative_to(DATA).as_posix(), json.loads(text))
        if problems:
            print(*problems[:10], sep="\n", file=sys.stderr)
            print(f"{path}: not written: {len(problems)} problem(s)", file=sys.stderr)
            return 1
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run python scripts/{script}", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text)} bytes)")
    return 0
