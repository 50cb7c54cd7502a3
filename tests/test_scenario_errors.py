"""Broken scenario files: each kind of mistake gets its exact file:line:col message."""

import subprocess
import sys
import time

import pytest
from helpers import ROOT, SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.load import load_library, load_scenario

SRC = (SCENARIOS / "default.yaml").read_text(encoding="utf-8")

BROKEN = {
    "wrong_type": (
        SRC.replace("weight_kg: 78", "weight_kg: heavy"),
        "wrong_type.yaml:18:14: patient.weight_kg: 'heavy' is not a number",
    ),
    "out_of_range": (
        SRC.replace("diameter_mm: 40", "diameter_mm: -3"),
        "out_of_range.yaml:27:18: tumors[0].diameter_mm: -3 is below the minimum 5 "
        "(allowed: 5–150)",
    ),
    "unknown_key": (
        SRC.replace("    tn_ratio: 4", "    tn_ration: 4"),
        "unknown_key.yaml:28:5: tumors[0].tn_ration: unknown field 'tn_ration' "
        "(did you mean 'tn_ratio'?)",
    ),
    "misspelt_agent": (
        SRC.replace("  - agent: deb", "  - agent: debb"),
        "misspelt_agent.yaml:35:12: agents_available[2].agent: 'debb' is not one of the allowed "
        "values (did you mean 'deb'?) (allowed: bland, pva, deb, lipiodol, y90_resin, y90_glass, "
        "lu177_dotatate, maa)",
    ),
    "duplicate_key": (
        SRC.replace("  weight_kg: 78", "  weight_kg: 78\n  weight_kg: 80"),
        "duplicate_key.yaml:19:3: duplicate key 'weight_kg' (first at line 18)",
    ),
    "alias": (
        SRC.replace("patient:\n", "patient: &p\n").replace("seed: 11", "seed: 11\nother: *p"),
        "alias.yaml:15:10: anchors and aliases are not allowed; use 'extends: "
        "other_case.yaml' to reuse a case",
    ),
    "tab": (
        SRC.replace("  age_y: 62", "\tage_y: 62"),
        "tab.yaml:16:1: tab character in indentation; indent with spaces",
    ),
    "unknown_vessel": (
        SRC.replace("  seed: 7", "  seed: 7\n  vessels:\n    RHAA: {diameter_mm: 3}"),
        "unknown_vessel.yaml:25:5: anatomy.vessels.RHAA: unknown vessel 'RHAA' (did you mean "
        "'RHA'?) (allowed: coeliac, splenic, LGA, CHA, GDA, PHA, RHA, LHA, RGA, cystic, "
        "falciform, SMA, IPA, RA, RP, aLHA, aRHA, S1L, S1, S2, S3, S4, S5, S6, S7, S8)",
    ),
    "missing_target": (
        SRC.replace("    target: true", "    target: false"),
        "missing_target.yaml:25:3: tumors: no tumour is marked as a target (set target: true "
        "on at least one)",
    ),
    "empty": ("", "empty.yaml:1:1: file is empty"),
    "non_utf8": (
        SRC.encode().replace(b"62-year-old", b"62-year-old \xff"),
        "non_utf8.yaml:11:25: file is not UTF-8 text (byte 0xff at line 11, column 25)",
    ),
    "huge": (
        SRC + "#" + "x" * (10 * 1024 * 1024) + "\n",
        "huge.yaml:1:1: file is 10.5 MB; the limit is 256 KiB",
    ),
}


def _write(folder, name, content):
    p = folder / f"{name}.yaml"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_message_verbatim(tmp_path, monkeypatch, name):
    content, expected = BROKEN[name]
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, name, content)
    sc, problems = load_scenario(f"{name}.yaml")
    assert sc is None
    assert [str(p) for p in problems] == [expected]


def test_validate_command_lists_every_problem_and_exits_1(tmp_path):
    for name, (content, _) in BROKEN.items():
        _write(tmp_path, name, content)
    _write(tmp_path, "good", SRC)
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "validate", "."],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert sorted(lines) == sorted(e for _, e in BROKEN.values())
    assert "Traceback" not in r.stderr
    assert "1 of 13 files valid" in r.stderr


def test_broken_files_do_not_stop_the_library(tmp_path):
    for name, (content, _) in BROKEN.items():
        _write(tmp_path, name, content)
    _write(tmp_path, "good", SRC)
    lib = load_library(tmp_path)
    assert len(lib) == 13
    assert [e.path.name for e in lib if e.ok] == ["good.yaml"]
    assert all(e.problems for e in lib if not e.ok)


def test_library_validates():
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "validate", str(SCENARIOS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout


MUTATIONS = st.lists(
    st.tuples(
        st.integers(0, len(SRC) - 1),
        st.integers(0, 8),
        st.sampled_from(
            [
                "",
                ":",
                " ",
                "\n",
                "-",
                "[",
                "{",
                "'",
                "\t",
                "&a",
                "*a",
                "!!python",
                "1e-3",
                "no",
                "012",
                "x",
                "\xff",
                "  - ",
                "}",
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(MUTATIONS)
def test_random_mutations_give_model_or_problems(tmp_path, muts):
    text = SRC
    for pos, cut, ins in muts:
        pos = min(pos, len(text))
        text = text[:pos] + ins + text[pos + cut :]
    p = tmp_path / "m.yaml"
    p.write_text(text, encoding="utf-8", errors="surrogateescape")
    t0 = time.process_time()
    sc, problems = load_scenario(p)
    assert time.process_time() - t0 < 1.0
    assert (sc is None) != (not problems)
    for pr in problems:
        assert "\n" not in str(pr) and str(pr).startswith(str(p))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400))
def test_random_documents_give_model_or_problems(tmp_path, text):
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8", errors="surrogatepass")
    t0 = time.process_time()
    sc, problems = load_scenario(p)
    assert time.process_time() - t0 < 1.0
    assert sc is None and problems
