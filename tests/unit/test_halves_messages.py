"""What the judging partner sends back is lighter and folds the same: the main roots of
each judgement but those of an earlier one, and the rules by ID."""

from __future__ import annotations

import io
import pickle
import random

from cgotrap.gate.halves import _new_mains_only, _reducers
from cgotrap.judge.rules import source as rules
from cgotrap.judge.scan.package import Hit
from cgotrap.judge.scan.report import Fold, TargetJudgement
from cgotrap.targets import Target


def _judgement(target: Target, mains: tuple[str, ...]) -> TargetJudgement:
    return TargetJudgement(
        target=target,
        mains=mains,
        no_header_data=False,
        std_uses=(),
        unresolved=(),
        listed=(),
        vanished=(),
        hits=(),
        decided={},
        notable={},
    )


def test_the_roots_fold_the_same_with_new_mains_only() -> None:
    names = [f"p{i}" for i in range(12)]
    for seed in range(200):
        rng = random.Random(seed)  # noqa: S311  # (a test case generator)
        shown = [Target(goos="linux", goarch=f"a{i}", cgo=bool(i % 2)) for i in range(8)]
        judged = [_judgement(t, tuple(rng.sample(names, rng.randint(0, 8)))) for t in shown]
        theirs = sorted(rng.sample(range(len(shown)), rng.randint(0, len(shown))))
        trimmed = dict(zip(theirs, _new_mains_only([judged[i] for i in theirs]), strict=True))
        whole, light = Fold(shown), Fold(shown)
        for i, one in enumerate(judged):
            whole.add(one)
            light.add(trimmed.get(i, one))
        assert list(light.all_roots) == list(whole.all_roots), seed
    some = _new_mains_only([_judgement(shown[0], ("a", "b")), _judgement(shown[1], ("b", "c"))])
    assert [one.mains for one in some] == [("a", "b"), ("c",)]


def test_a_rule_crosses_the_pipe_by_its_id() -> None:
    hit = Hit(
        rule=rules.cgo_without_fallback,
        package="p",
        subject="",
        target=Target(goos="linux", goarch="amd64", cgo=False),
    )
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _reducers()
    pickler.dump([hit, hit])
    assert rules.cgo_without_fallback.doc.encode() not in out.getvalue()
    back = pickle.loads(out.getvalue())  # noqa: S301  # our own
    assert back == [hit, hit]
    assert back[0].rule is rules.cgo_without_fallback
