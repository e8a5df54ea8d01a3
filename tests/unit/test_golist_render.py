"""render.golist: Go's encoding/json text, byte for byte."""

from __future__ import annotations

from cgotrap.evaluate.model import MatrixResult, PackageError, PackageFacts, TargetPackages
from cgotrap.render import golist
from cgotrap.targets import Libc, Target


def test_go_json_string_escapes_like_go() -> None:
    assert golist.go_json_string("net/http") == '"net/http"'
    assert golist.go_json_string('a"b\\c') == '"a\\"b\\\\c"'
    assert golist.go_json_string("<a&b>") == '"\\u003ca\\u0026b\\u003e"'
    assert golist.go_json_string("\b\f\n\r\t\x01\x7f") == '"\\b\\f\\n\\r\\t\\u0001\x7f"'
    assert golist.go_json_string("\u2028\u2029é") == '"\\u2028\\u2029é"'
    bad = b"x\xffy".decode("utf-8", "surrogateescape")
    assert golist.go_json_string(bad) == '"x\\ufffdy"'


def _facts(target: Target, **kw: object) -> PackageFacts:
    base: dict[str, object] = {
        "target": target,
        "dir": "/m/p",
        "import_path": "example.com/m/p",
        "name": "p",
        "module_path": "example.com/m",
        "standard": False,
        "dep_only": True,
        "go_files": ("p.go",),
        "imports": ("C", "fmt"),
        "deps": ("fmt", "x<y"),
    }
    base.update(kw)
    return PackageFacts(**base)  # type: ignore[arg-type]  # test data


def test_object_layout_and_matrix_target() -> None:
    t = Target(goos="linux", goarch="amd64", cgo=True)
    err = PackageError(err="boom", import_stack=(), pos="")
    result = MatrixResult(
        module_root="/m",
        patterns=("./...",),
        tags=(),
        per_target=(
            TargetPackages(target=t, packages=(_facts(t), _facts(t, error=err)), roots=()),
        ),
    )
    text = golist.format_json(result, matrix=False)
    first, second = text.split("}\n{")
    assert first == (
        '{\n\t"Dir": "/m/p",\n\t"ImportPath": "example.com/m/p",\n\t"Name": "p",\n'
        '\t"Module": {\n\t\t"Path": "example.com/m"\n\t},\n\t"DepOnly": true,\n'
        '\t"GoFiles": [\n\t\t"p.go"\n\t],\n\t"Imports": [\n\t\t"C",\n\t\t"fmt"\n\t],\n'
        '\t"Deps": [\n\t\t"fmt",\n\t\t"x\\u003cy"\n\t]\n'
    )
    assert '\t"Error": {\n\t\t"ImportStack": [],\n\t\t"Pos": "",\n\t\t"Err": "boom"\n\t}' in second
    matrix = golist.format_json(result, matrix=True)
    target = '\t"BuildContext": {\n\t\t"GOOS": "linux",\n\t\t"GOARCH": "amd64",\n'
    target += '\t\t"CGO_ENABLED": "1"\n\t}\n}'
    assert matrix.count(target) == 2
    lines = golist.format_lines(result, matrix=False)
    assert lines == "example.com/m/p\nexample.com/m/p\n"


def test_build_context_names_the_libc_variant_only_for_one() -> None:
    """The matrix field is "BuildContext" (go list's "Target" is the install path); Libc and
    GlibcVersion appear only for a libc variant, and each parses as JSON."""
    import json

    targets = (
        Target(goos="linux", goarch="amd64", cgo=False),
        Target(goos="linux", goarch="arm64", cgo=True, libc=Libc.MUSL),
        Target(goos="linux", goarch="amd64", cgo=True, libc=Libc.GNU, glibc_version="2.17"),
    )
    result = MatrixResult(
        module_root="/m",
        patterns=("./...",),
        tags=(),
        per_target=tuple(
            TargetPackages(target=t, packages=(_facts(t),), roots=()) for t in targets
        ),
    )
    text = golist.format_json(result, matrix=True)
    objs = [json.loads("{" + part + "}") for part in text.strip()[1:-1].split("}\n{")]
    assert [o["BuildContext"] for o in objs] == [
        {"GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0"},
        {"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "1", "Libc": "musl"},
        {
            "GOOS": "linux",
            "GOARCH": "amd64",
            "CGO_ENABLED": "1",
            "Libc": "gnu",
            "GlibcVersion": "2.17",
        },
    ]
    assert all("Target" not in o for o in objs)
    assert golist.format_lines(result, matrix=True).splitlines() == [
        "linux/amd64 cgo=0\texample.com/m/p",
        "linux/arm64-musl cgo=1\texample.com/m/p",
        "linux/amd64-gnu.2.17 cgo=1\texample.com/m/p",
    ]


def test_incomplete_and_deps_errors_layout_as_go_writes_it() -> None:
    """Incomplete after DepOnly; DepsErrors after Error, each error nested one level deeper
    (the text go list -json printed for an import cycle, Go 1.27.3)."""
    t = Target(goos="linux", goarch="amd64", cgo=False)
    cycle = PackageError(err="import cycle not allowed", import_stack=("a", "b", "a"))
    p = _facts(t, dep_only=False, incomplete=True, error=cycle, deps_errors=(cycle,))
    result = MatrixResult(
        module_root="/m",
        patterns=("./...",),
        tags=(),
        per_target=(TargetPackages(target=t, packages=(p,), roots=()),),
    )
    text = golist.format_json(result, matrix=False)
    assert '\t},\n\t"Incomplete": true,\n\t"GoFiles"' in text
    assert text.endswith(
        '\t"Error": {\n\t\t"ImportStack": [\n\t\t\t"a",\n\t\t\t"b",\n\t\t\t"a"\n\t\t],\n'
        '\t\t"Pos": "",\n\t\t"Err": "import cycle not allowed"\n\t},\n'
        '\t"DepsErrors": [\n\t\t{\n\t\t\t"ImportStack": [\n\t\t\t\t"a",\n\t\t\t\t"b",\n'
        '\t\t\t\t"a"\n\t\t\t],\n\t\t\t"Pos": "",\n\t\t\t"Err": "import cycle not allowed"\n'
        "\t\t}\n\t]\n}\n"
    )
