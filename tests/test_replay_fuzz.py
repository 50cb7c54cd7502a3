"""Fuzzing replay files: mutations of a real exported replay and generated extremes.

Whatever the file, ``replay`` and ``import-replay`` end in bounded time with either one clear
line and exit 2 (exit 1: a replay whose final state differs), or a correct run: JSON that is
finite with a score in 0–100, and an imported record whose outcome is the replay's. The quick
loop runs a few examples; the heavy profile (``-m slow``) runs many more.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from helpers import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.app.cli import main
from sim.app.runner import run_recorded
from sim.records import DB_NAME, RecordStore
from sim.records.exchange import export_record
from sim.records.model import score_value
from sim.records.strict_json import loads

QUICK = SCENARIOS / "workshop_quick.yaml"
BOUND_S = 90.0  # one command on one file, on a busy 2-core machine (the case's limit: 3 min)
QUICK_RUN = settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
HEAVY_RUN = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


# The workshop's expert plan with a shorter injection: a file with every field and action kind
# of the real one, replayed in a fifth of the time (a valid mutation is replayed twice)
SHORT_PLAN = """actions:
  - navigate: feeder:T1
  - select_agent: {agent: bland, size_um: [40, 120]}
  - inject: {volume_ml: 0.5, rate_ml_min: 2}
  - finish
"""


@functools.cache
def base() -> dict:
    """The workshop case recorded with :data:`SHORT_PLAN` and exported (made once, on first
    use)."""
    with tempfile.TemporaryDirectory() as d:
        plan = Path(d) / "short.plan.yaml"
        plan.write_text(SHORT_PLAN, encoding="utf-8")
        with RecordStore(d) as store:
            _, _, rid = run_recorded(store, QUICK, plan, trainee="AB")
            f = export_record(store.get(rid), Path(d) / "base.siphon.json")
        return json.loads(f.read_text(encoding="utf-8"))


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


SPECIAL = [None, True, 0, -1, 2**31, 2**63, 2**64, 10**12, 1e308, -0.0, math.nan, math.inf, ""]
SPECIAL += ["../../x", "/etc/passwd", "a\x00b", "\x1b[31mX", "\ud800", "x" * 400, [], {}]
SPECIAL += [json.loads("[" * 40 + "]" * 40), {"finish": None}, {"wait": {"seconds": 3600}}]
EXTREMES = st.one_of(
    st.sampled_from(SPECIAL),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=3),
)
FRAGMENTS = ["time_min: 1", "seed: -1", "extends: /dev/zero", "tumors: []", "\x1b", ": :", "- x"]


def _set(doc: object, path: tuple, value: object, delete: bool = False) -> object:
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _dumps(doc: object) -> bytes:
    return json.dumps(doc, allow_nan=True).encode("utf-8")


@st.composite
def mutated(draw) -> bytes:
    """The real file with one thing changed: a value, a key gone, its bytes, or its case."""
    kind = draw(st.sampled_from(["value", "delete", "truncate", "flip", "case"]))
    if kind in ("value", "delete"):
        path = draw(st.sampled_from(_paths(base())[1:]))
        return _dumps(_set(base(), path, draw(EXTREMES), delete=kind == "delete"))
    raw = _dumps(base())
    at = draw(st.integers(0, len(raw) - 1))
    if kind == "truncate":
        return raw[:at]
    if kind == "flip":
        return raw[:at] + bytes([raw[at] ^ (1 << draw(st.integers(0, 7)))]) + raw[at + 1 :]
    text = base()["scenario"]["text"]
    i = draw(st.integers(0, len(text)))
    text = text[:i] + draw(st.sampled_from(FRAGMENTS) | st.text(max_size=20)) + "\n" + text[i:]
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _dumps(_set(_set(base(), ("scenario", "text"), text), ("scenario", "sha256"), sha))


@st.composite
def generated(draw) -> bytes:
    """A document made up from scratch: the right format tag, every field an extreme."""
    keys = [*base(), "extra"]
    doc = {k: draw(EXTREMES) for k in draw(st.lists(st.sampled_from(keys), unique=True))}
    doc["format"] = "siphon-replay"
    return _dumps(doc)


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    t0 = time.process_time()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(args))
    assert time.process_time() - t0 < BOUND_S, f"{args[0]} took too long"
    return rc, out.getvalue(), err.getvalue()


def _one_clear_line(f: Path, out: str, err: str) -> None:
    lines = err.splitlines()
    assert out == "" and len(lines) == 1, err
    assert lines[0].startswith(f"{f}: ") or lines[0].startswith(f"{f}:"), lines[0]
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in lines[0]), repr(lines[0])
    assert "Traceback" not in err


def check(raw: bytes) -> None:
    """Replay and import one file; each ends clearly (see the module docstring)."""
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "m.siphon.json"
        f.write_bytes(raw)
        rc, out, err = _run("replay", str(f), "--json")
        assert rc in (0, 1, 2), err
        if rc == 2:
            _one_clear_line(f, out, err)
        else:
            outcome = loads(out, 64)  # strict: no NaN, no Infinity
            assert score_value(outcome["score"]) is not None, outcome["score"]
        store = Path(d) / "store"
        rc, out, err = _run("import-replay", str(f), "--data-dir", str(store))
        assert rc in (0, 2), err
        if rc == 2:
            _one_clear_line(f, out, err)
            assert not (store / DB_NAME).exists() or RecordStore(store).list() == []
            return
        (rec,) = RecordStore(store).list()
        assert rec.damage == "" and rec.score is not None and len(rec.digest or "") == 64


def test_the_unmutated_file_replays_and_imports():
    check(_dumps(base()))


@QUICK_RUN
@given(st.one_of(mutated(), generated()))
def test_fuzz_replay_files_quick(raw):
    check(raw)


@pytest.mark.slow
@HEAVY_RUN
@given(st.one_of(mutated(), generated()))
def test_fuzz_replay_files_heavy(raw):
    check(raw)
