"""Fuzz: mutated and extreme scenario, plan and playlist files (issue 12).

Each example mutates a real file of ``scenarios/`` or ``playlists/`` (a value set to an extreme —
NaN, infinities, huge or negative numbers, empty or long text, a wrong type —, a key or item
deleted, a line duplicated) and asserts what the command line promises: either one-line
``file:line:col: field: problem`` errors and no traceback, or — when ``validate`` accepts — a
case that builds and a run whose JSON is strict (no NaN, no infinity) with a score in 0–100.

Building a case takes a fraction of a second and a run a second or more, so the default
profile builds only what validates and runs a few accepted files; ``-m slow`` runs many more.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.app.check import check_file, plan_problems
from sim.app.cli import main
from sim.engine.procedure import Procedure
from sim.scenario.files import LIBRARY_DIR
from sim.scenario.load import load_scenario
from sim.scenario.plan import load_plan
from sim.scenario.playlist import load_playlist

ROOT = Path(__file__).resolve().parents[1]
PLAYLIST = ROOT / "playlists" / "workshop.yaml"
SMALL_CASE = LIBRARY_DIR / "workshop_quick.yaml"
CASES = sorted(p for p in LIBRARY_DIR.glob("*.yaml") if not p.name.endswith(".plan.yaml"))
PLANS = sorted(LIBRARY_DIR.glob("*.plan.yaml"))
SHORT_PLAN = (
    "actions:\n  - navigate: PHA\n  - inject: {volume_ml: 0.2, rate_ml_min: 2}\n  - finish\n"
)
LINE = re.compile(r"^[^\n]+:\d+:\d+: (?:[^\s:]+: )?[^\n]+$")
SECONDS_PER_EXAMPLE = 120.0  # generous: the machine is shared; a runaway takes hours

EXTREMES = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            -1,
            0,
            -0.0,
            1e-300,
            1e308,
            -1e308,
            2**63,
            2**64,
            10**40,
            "",
            " ",
            "x" * 300,
            "../../etc/passwd",
            "/dev/stdin",
            "feeder:T1",
            "T1",
            "RHA",
            None,
            True,
            [],
            {},
            [[]],
            [0, 0],
            [[300, 100]],
        ]
    ),
    st.floats(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=12),
)
FAST = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _nodes(value: object, path: tuple = ()) -> list[tuple]:
    """Every path into a loaded YAML value (mapping keys and list items), the root first."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _nodes(v, (*path, i))
    return out


def _mutate(data: st.DataObject, text: str) -> str:
    """One mutation of a YAML text: set a node to an extreme, delete one, or repeat a line."""
    tree = yaml.safe_load(text)
    kind = data.draw(st.sampled_from(["set", "set", "set", "delete", "repeat_line"]))
    if kind == "repeat_line":
        lines = text.splitlines()
        i = data.draw(st.integers(0, len(lines) - 1))
        return "\n".join(lines[: i + 1] + lines[i:]) + "\n"
    paths = [p for p in _nodes(tree) if p]
    path = data.draw(st.sampled_from(paths))
    parent = tree
    for part in path[:-1]:
        parent = parent[part]
    if kind == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(EXTREMES)
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def _assert_clear(lines: list[str]) -> None:
    assert lines, "refused without saying why"
    for line in lines:
        assert LINE.match(line) and "Traceback" not in line, line


def _assert_run(case: Path, capsys) -> None:
    """``run --json`` of an accepted case: strict JSON, a score in 0–100 (or clear errors)."""
    capsys.readouterr()
    rc = main(["run", str(case), "--json"])
    out, err = capsys.readouterr()
    if rc != 0:  # only a plan refused at a step may stop an accepted case
        assert rc == 2
        _assert_clear(err.splitlines())
        return
    result = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite {c} in JSON"))
    assert 0.0 <= result["score"] <= 100.0


class Budget:
    """How many accepted files a property may still run (building is cheap, running is not)."""

    def __init__(self, runs: int) -> None:
        self.runs = runs

    def take(self) -> bool:
        self.runs -= 1
        return self.runs >= 0


def _scenario_property(examples: int, runs: int, capsys) -> None:
    budget = Budget(runs)

    @settings(FAST, max_examples=examples)
    @given(st.data(), st.sampled_from([SMALL_CASE, SMALL_CASE, *CASES]))
    def prop(data: st.DataObject, source: Path) -> None:
        text = _mutate(data, source.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            case = Path(tmp) / "case.yaml"
            case.write_text(text, encoding="utf-8")
            (Path(tmp) / "case.plan.yaml").write_text(SHORT_PLAN, encoding="utf-8")
            start = time.process_time()
            sc, problems = load_scenario(case)
            if sc is None:
                _assert_clear([str(p) for p in problems])
                return
            built = check_file(case, set())  # builds the case, checks the plan beside it
            if built:
                _assert_clear([str(p) for p in built])
            elif budget.take():
                _assert_run(case, capsys)
            assert time.process_time() - start < SECONDS_PER_EXAMPLE

    prop()


_BUILT: dict[str, Procedure] = {}


def _built_small_case() -> Procedure:
    if "small" not in _BUILT:
        sc, _ = load_scenario(SMALL_CASE)
        _BUILT["small"] = Procedure(sc)
    return _BUILT["small"]


def _plan_property(examples: int, runs: int, capsys) -> None:
    budget = Budget(runs)
    proc = _built_small_case()

    @settings(FAST, max_examples=examples)
    @given(st.data(), st.sampled_from(PLANS))
    def prop(data: st.DataObject, source: Path) -> None:
        text = _mutate(data, source.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            plan = Path(tmp) / "case.plan.yaml"
            plan.write_text(text, encoding="utf-8")
            steps, problems = load_plan(plan)
            problems = problems or plan_problems(proc, steps)
            if problems:
                _assert_clear([str(p) for p in problems])
            elif budget.take():
                case = Path(tmp) / "case.yaml"
                case.write_text(SMALL_CASE.read_text(encoding="utf-8"), encoding="utf-8")
                _assert_run(case, capsys)

    prop()


def _playlist_text() -> str:
    """The workshop playlist with its case paths made absolute (so a copy elsewhere loads)."""
    tree = yaml.safe_load(PLAYLIST.read_text(encoding="utf-8"))
    for entry in tree["cases"]:
        entry["scenario"] = str((PLAYLIST.parent / entry["scenario"]).resolve())
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def _playlist_property(examples: int, builds: int) -> None:
    budget = Budget(builds)
    source = _playlist_text()

    @settings(FAST, max_examples=examples)
    @given(st.data())
    def prop(data: st.DataObject) -> None:
        text = _mutate(data, source)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "booth.yaml"
            path.write_text(text, encoding="utf-8")
            playlist, problems = load_playlist(path)
            if playlist is None:
                _assert_clear([str(p) for p in problems])
            elif budget.take():
                assert check_file(path, set()) == []  # the library's cases all build

    prop()


def test_mutated_scenarios_are_refused_clearly_or_run(capsys):
    _scenario_property(examples=25, runs=2, capsys=capsys)


def test_mutated_plans_are_refused_clearly_or_run(capsys):
    _plan_property(examples=60, runs=1, capsys=capsys)


def test_mutated_playlists_are_refused_clearly():
    _playlist_property(examples=40, builds=0)


# The heavy profile, one test per file kind so that parallel workers share it.
@pytest.mark.slow
def test_heavy_fuzz_of_scenarios(capsys):
    _scenario_property(examples=300, runs=25, capsys=capsys)


@pytest.mark.slow
def test_heavy_fuzz_of_plans(capsys):
    _plan_property(examples=400, runs=12, capsys=capsys)


@pytest.mark.slow
def test_heavy_fuzz_of_playlists():
    _playlist_property(examples=200, builds=3)
