"""Strict YAML loading and instructor-facing problem messages (yaml_strict, problems)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.scenario.files import load_with_extends, validate_file
from sim.scenario.problems import (
    Problem,
    YamlProblem,
    field_path,
    problems_from_validation_error,
)
from sim.scenario.yaml_strict import Mark, Marks, load_yaml_text

Agent = Literal["bland", "pva", "deb", "lipiodol", "y90_resin", "y90_glass"]


class Tumor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    diameter_mm: float = Field(ge=0.5, le=200)
    agent: Agent


class Patient(BaseModel):
    model_config = ConfigDict(extra="forbid")
    age_y: int = Field(60, ge=18, le=100)
    weight_kg: float = 70.0


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    tumors: list[Tumor]
    seed: int = 0
    patient: Patient = Field(default_factory=Patient)
    notes: list[str] = Field(default_factory=list)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("title must not be blank")
        return v


GOOD = """\
title: Two lesions
seed: 3
tumors:
  - id: T1
    diameter_mm: 12.5
    agent: bland
  - id: T2
    diameter_mm: 40
    agent: y90_glass
"""


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path so file names in messages are short and literal."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(text: str | bytes, name: str = "case.yaml") -> list[str]:
    """Write ``text`` to ``name`` (in the cwd), validate it against Case, return the messages."""
    data = text.encode() if isinstance(text, str) else text
    Path(name).write_bytes(data)
    model, problems = validate_file(name, Case)
    assert (model is None) == bool(problems)
    return [str(p) for p in problems]


def refused(text: str | bytes) -> str:
    with pytest.raises(YamlProblem) as info:
        load_yaml_text(text, "case.yaml")
    return str(info.value)


# --- a valid file ---------------------------------------------------------------------------


def test_valid_file_loads_with_value_and_key_marks(cwd: Path) -> None:
    Path("case.yaml").write_text(GOOD)
    model, problems = validate_file("case.yaml", Case)
    assert problems == []
    assert model is not None and model.tumors[1].agent == "y90_glass"
    data, marks = load_yaml_text(GOOD, "case.yaml")
    assert marks[("tumors", 1, "diameter_mm")] == Mark("case.yaml", 8, 18)
    assert marks.key_marks[("tumors", 1, "diameter_mm")] == Mark("case.yaml", 8, 5)
    assert marks[()] == Mark("case.yaml", 1, 1)
    # a missing field walks up to the nearest marked ancestor (the list item's mapping)
    assert marks.locate(("tumors", 0, "nope", 3)) == (4, 5)
    assert marks.locate_mark(("tumors", 0, "nope")) == Mark("case.yaml", 4, 5)


# --- validation messages ---------------------------------------------------------------------


def test_wrong_types(cwd: Path) -> None:
    text = "title: 12\nseed: abc\ntumors: T1\n"
    assert check(text) == [
        "case.yaml:1:8: title: expected text, got the number 12 (put it in quotes)",
        "case.yaml:2:7: seed: 'abc' is not a whole number",
        "case.yaml:3:9: tumors: expected a list, got the text 'T1'",
    ]
    text = "title: x\ntumors:\n  - T1\n  - id: T2\n    diameter_mm: big\n    agent: pva\n"
    assert check(text) == [
        "case.yaml:3:5: tumors[0]: expected a mapping (key: value), got the text 'T1'",
        "case.yaml:5:18: tumors[1].diameter_mm: 'big' is not a number",
    ]


def test_out_of_range_min_and_max(cwd: Path) -> None:
    text = GOOD.replace("12.5", "-3").replace("40", "250.0")
    assert check(text) == [
        "case.yaml:5:18: tumors[0].diameter_mm: -3 is below the minimum 0.5 (allowed: 0.5–200)",
        "case.yaml:8:18: tumors[1].diameter_mm: 250 is above the maximum 200 (allowed: 0.5–200)",
    ]


def test_unknown_key_did_you_mean_at_the_key(cwd: Path) -> None:
    text = GOOD.replace("    diameter_mm: 40", "    diamter_mm: 40")
    assert check(text) == [
        "case.yaml:7:5: tumors[1].diameter_mm: required field is missing",
        "case.yaml:8:5: tumors[1].diamter_mm: unknown field 'diamter_mm' "
        "(did you mean 'diameter_mm'?)",
    ]
    assert check(GOOD + "colour: red\n") == [
        "case.yaml:10:1: colour: unknown field 'colour' "
        "(allowed: title, tumors, seed, patient, notes)"
    ]


def test_misspelt_choice_did_you_mean(cwd: Path) -> None:
    assert check(GOOD.replace("agent: bland", "agent: blandd")) == [
        "case.yaml:6:12: tumors[0].agent: 'blandd' is not one of the allowed values "
        "(did you mean 'bland'?) (allowed: bland, pva, deb, lipiodol, y90_resin, y90_glass)"
    ]
    assert check(GOOD.replace("agent: bland", "agent: glue")) == [
        "case.yaml:6:12: tumors[0].agent: 'glue' is not one of the allowed values "
        "(allowed: bland, pva, deb, lipiodol, y90_resin, y90_glass)"
    ]


def test_missing_field_points_at_parent_mapping(cwd: Path) -> None:
    assert check("seed: 1\ntumors: []\n") == ["case.yaml:1:1: title: required field is missing"]
    assert check(GOOD.replace("    agent: y90_glass\n", "")) == [
        "case.yaml:7:5: tumors[1].agent: required field is missing"
    ]


def test_custom_validator_message_and_nested_range(cwd: Path) -> None:
    text = GOOD.replace("title: Two lesions", "title: '  '") + "patient:\n  age_y: 7\n"
    assert check(text) == [
        "case.yaml:1:8: title: title must not be blank",
        "case.yaml:11:10: patient.age_y: 7 is below the minimum 18 (allowed: 18–100)",
    ]


def test_problems_from_validation_error_without_model_still_locates() -> None:
    data, marks = load_yaml_text("title: x\ntumors:\n  - id: T1\n    diameter_mm: 0\n", "c.yaml")
    with pytest.raises(ValidationError) as info:
        Case.model_validate(data)
    got = [str(p) for p in problems_from_validation_error(info.value, marks, "c.yaml")]
    assert got == [
        "c.yaml:3:5: tumors[0].agent: required field is missing",
        "c.yaml:4:18: tumors[0].diameter_mm: 0 is below the minimum 0.5",
    ]


# --- YAML refusals ---------------------------------------------------------------------------


def test_duplicate_key(cwd: Path) -> None:
    text = GOOD.replace("    agent: bland\n", "    agent: bland\n    diameter_mm: 3\n")
    assert check(text) == ["case.yaml:7:5: duplicate key 'diameter_mm' (first at line 5)"]


ANCHORS = "anchors and aliases are not allowed; use 'extends: other_case.yaml' to reuse a case"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("title: &t Case\ntumors: []\n", "1:8"),  # anchor
        ("title: x\nother: *t\n", "2:8"),  # alias (undefined: refused before PyYAML's error)
        ("base: {a: 1}\nmore:\n  <<: {b: 2}\n", "3:3"),  # merge key
    ],
)
def test_anchor_alias_merge_refused(text: str, where: str) -> None:
    assert refused(text) == f"case.yaml:{where}: {ANCHORS}"


@pytest.mark.parametrize(
    "text",
    ["title: !!python/object/apply:os.system [echo hi]\n", "title: !foo x\n", "title: !!str 5\n"],
)
def test_tags_refused(text: str) -> None:
    assert refused(text) == "case.yaml:1:8: tags are not allowed"


def test_tab_indentation(cwd: Path) -> None:
    assert check("title: x\ntumors:\n\t- id: T1\n") == [
        "case.yaml:3:1: tab character in indentation; indent with spaces"
    ]
    assert refused("a:\n  b:\n  \tc: 1\n") == (
        "case.yaml:3:3: tab character in indentation; indent with spaces"
    )
    # a tab inside a quoted value is fine
    assert load_yaml_text("title: 'a\tb'\n", "case.yaml")[0] == {"title": "a\tb"}


def test_non_utf8(cwd: Path) -> None:
    assert check(b"title: x\nseed: 1\nnote\xc3\xa9\xff: 2\n") == [
        "case.yaml:3:6: file is not UTF-8 text (byte 0xff at line 3, column 6)"
    ]
    assert refused(b"a: 1\nb: 2\nc: \xff\n") == (
        "case.yaml:3:4: file is not UTF-8 text (byte 0xff at line 3, column 4)"
    )


def test_control_character_refused() -> None:
    assert refused("title: a\x07b\n") == "case.yaml:1:9: character U+0007 is not allowed"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n  # and another\n", "---\n"])
def test_empty_file(cwd: Path, text: str) -> None:
    assert check(text) == ["case.yaml:1:1: file is empty"]


def test_ten_megabyte_file_refused_before_parsing(cwd: Path) -> None:
    Path("big.yaml").write_bytes(b"title: x\n#".ljust(10_000_000, b"x"))
    model, problems = validate_file("big.yaml", Case)
    assert model is None
    assert [str(p) for p in problems] == ["big.yaml:1:1: file is 10.0 MB; the limit is 256 KiB"]
    assert (
        refused("a: " + "x" * 300_000) == "case.yaml:1:1: file is 293.0 KiB; the limit is 256 KiB"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- a\n- b\n",
            "case.yaml:1:1: the file must be a mapping of fields (key: value), not a list",
        ),
        (
            "just text\n",
            "case.yaml:1:1: the file must be a mapping of fields (key: value), not a single value",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "case.yaml:2:1: only one document per file is allowed (found a second '---')",
        ),
    ],
)
def test_top_level_shape(text: str, expected: str) -> None:
    assert refused(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: x\ntumors: [a, b\n", "case.yaml:3:1: expected ',' or ']' in a [...] list"),
        (
            "title: x\n  seed: 2\n",
            "case.yaml:2:7: unexpected ':' (check the indentation, and "
            "quote text that contains ': ')",
        ),
        ("title: 'x\n", "case.yaml:2:1: the file ends inside an unclosed quote"),
        (
            "title: x\n- y\n",
            "case.yaml:2:1: a list item '-' where a 'key: value' was expected "
            "(check the indentation)",
        ),
        (
            "title: @x\n",
            "case.yaml:1:8: character '@' cannot start a value; put the text in quotes",
        ),
    ],
)
def test_syntax_errors_are_one_readable_line(cwd: Path, text: str, expected: str) -> None:
    got = check(text)
    assert got == [expected]
    assert "\n" not in got[0] and "Traceback" not in got[0] and "<" not in got[0]


def test_missing_file_is_a_problem_not_an_exception(cwd: Path) -> None:
    model, problems = validate_file("nope.yaml", Case)
    assert model is None
    assert [str(p) for p in problems] == [
        "nope.yaml:1:1: cannot read file: No such file or directory"
    ]


# --- scalars ---------------------------------------------------------------------------------


def test_yaml_12_scalars() -> None:
    text = (
        "a: 1e-3\nb: 1E5\nc: -2.5e+3\nd: .5\ne: 012\nf: 0x1F\ng: no\nh: yes\ni: on\nj: off\n"
        "k: y\nl: n\nm: true\nn: FALSE\no: null\np: ~\nq:\nr: 2001-12-14\ns: '12'\nt: 1_000\n"
        "u: 0o17\n7: seven\n"
    )
    data, _ = load_yaml_text(text, "case.yaml")
    assert data == {
        "a": 0.001, "b": 100000.0, "c": -2500.0, "d": 0.5, "e": 12, "f": 31,
        "g": "no", "h": "yes", "i": "on", "j": "off", "k": "y", "l": "n",
        "m": True, "n": False, "o": None, "p": None, "q": None,
        "r": "2001-12-14", "s": "12", "t": "1_000", "u": 15, "7": "seven",
    }  # fmt: skip
    assert type(data["a"]) is float and type(data["e"]) is int and type(data["m"]) is bool


def test_scalar_float_reaches_model(cwd: Path) -> None:
    Path("case.yaml").write_text(GOOD.replace("12.5", "1e-3").replace("40", "5E1"))
    model, problems = validate_file("case.yaml", Case)
    assert [str(p) for p in problems] == [
        "case.yaml:5:18: tumors[0].diameter_mm: 0.001 is below the minimum 0.5 (allowed: 0.5–200)"
    ]


# --- extends ---------------------------------------------------------------------------------


BASE = """\
title: Base case
patient:
  age_y: 50
  weight_kg: 80
tumors:
  - id: T1
    diameter_mm: 10
    agent: bland
notes: [a, b]
"""


def test_extends_merges_and_marks_point_into_the_right_file(cwd: Path) -> None:
    Path("cases").mkdir()
    Path("cases/base.yaml").write_text(BASE)
    Path("cases/child.yaml").write_text(
        "extends: base.yaml\ntitle: Child\npatient:\n  weight_kg: 300\nnotes: [c]\n"
    )
    data, marks = load_with_extends("cases/child.yaml")
    assert data == {
        "title": "Child",
        "patient": {"age_y": 50, "weight_kg": 300},
        "tumors": [{"id": "T1", "diameter_mm": 10, "agent": "bland"}],
        "notes": ["c"],
    }
    assert "extends" not in data and ("extends",) not in marks
    assert marks[("patient", "age_y")] == Mark("cases/base.yaml", 3, 10)
    assert marks[("patient", "weight_kg")] == Mark("cases/child.yaml", 4, 14)
    assert marks[("tumors", 0, "agent")] == Mark("cases/base.yaml", 8, 12)
    assert marks[("notes", 0)] == Mark("cases/child.yaml", 5, 9)
    assert ("notes", 1) not in marks
    # problems land in the file the bad value came from
    Path("cases/child.yaml").write_text("extends: base.yaml\ntumors:\n  - id: T2\n    agent: pva\n")
    Path("cases/base.yaml").write_text(BASE.replace("age_y: 50", "age_y: 5"))
    model, problems = validate_file("cases/child.yaml", Case)
    assert [str(p) for p in problems] == [
        "cases/base.yaml:3:10: patient.age_y: 5 is below the minimum 18 (allowed: 18–100)",
        "cases/child.yaml:3:5: tumors[0].diameter_mm: required field is missing",
    ]


def test_extends_cycle(cwd: Path) -> None:
    Path("a.yaml").write_text("title: A\nextends: b.yaml\n")
    Path("b.yaml").write_text("extends: a.yaml\n")
    assert check("extends: a.yaml\n", name="start.yaml") == [
        "b.yaml:1:10: extends cycle: start.yaml -> a.yaml -> b.yaml -> a.yaml"
    ]
    assert check("extends: ./self.yaml\n", name="self.yaml") == [
        "self.yaml:1:10: extends cycle: self.yaml -> self.yaml"
    ]


def test_extends_missing_base_bad_value_and_depth(cwd: Path) -> None:
    assert check("title: x\nextends: nope.yaml\n") == [
        "case.yaml:2:10: cannot find the base case 'nope.yaml'"
    ]
    assert check("extends: [a.yaml]\n") == [
        "case.yaml:1:10: 'extends' must be the file name of another case, "
        "e.g. extends: base_case.yaml"
    ]
    for i in range(10):
        Path(f"c{i}.yaml").write_text(f"extends: c{i + 1}.yaml\n" if i < 9 else BASE)
    assert load_with_extends("c1.yaml")[0]["title"] == "Base case"  # 8 levels: allowed
    with pytest.raises(YamlProblem) as info:
        load_with_extends("c0.yaml")
    assert str(info.value) == "c8.yaml:1:10: too many levels of 'extends' (the limit is 8)"
    # errors inside the base are reported in the base
    Path("broken.yaml").write_text("title: [x\n")
    assert check("extends: broken.yaml\n") == [
        "broken.yaml:2:1: expected ',' or ']' in a [...] list"
    ]


# --- discriminated unions -------------------------------------------------------------------


class Bland(BaseModel):
    kind: Literal["bland"]


class Glass(BaseModel):
    kind: Literal["y90_glass"]
    activity_gbq: float = Field(1.0, ge=0.1, le=20)


class Plan(BaseModel):
    steps: list[Annotated[Bland | Glass, Field(discriminator="kind")]]


def test_discriminated_union_points_at_the_discriminator(cwd: Path) -> None:
    Path("plan.yaml").write_text(
        "steps:\n  - kind: glas\n  - activity_gbq: 3\n  - kind: y90_glass\n    activity_gbq: 30\n"
    )
    _, problems = validate_file("plan.yaml", Plan)
    assert [str(p) for p in problems] == [
        "plan.yaml:2:11: steps[0].kind: 'glas' is not one of the allowed values "
        "(did you mean 'y90_glass'?) (allowed: bland, y90_glass)",
        "plan.yaml:3:5: steps[1].kind: required field is missing",
        "plan.yaml:5:19: steps[2].activity_gbq: 30 is above the maximum 20 (allowed: 0.1–20)",
    ]


def test_core_modules_do_not_import_pygame() -> None:
    code = (
        "import sys, sim.scenario.yaml_strict, sim.scenario.problems; "
        "assert not any(m.startswith('pygame') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- problems.py helpers ---------------------------------------------------------------------


def test_problem_format_sorting_and_field_path() -> None:
    p = Problem("a.yaml", 3, 5, "tumors[1].diameter_mm", "too big")
    assert str(p) == "a.yaml:3:5: tumors[1].diameter_mm: too big"
    assert str(Problem("a.yaml", 1, 1, "", "file is empty")) == "a.yaml:1:1: file is empty"
    probs = [Problem("b", 1, 1, "", "x"), Problem("a", 9, 1, "", "y"), Problem("a", 2, 7, "", "z")]
    assert [(q.file, q.line) for q in sorted(probs)] == [("a", 2), ("a", 9), ("b", 1)]
    assert field_path(("tumors", 1, "diameter_mm")) == "tumors[1].diameter_mm"
    assert field_path(()) == ""
    assert field_path(("vessels", "A.1", "length_mm")) == "vessels['A.1'].length_mm"
    assert Marks("x").locate(("a", 1)) == (1, 1)


# --- robustness ------------------------------------------------------------------------------


@settings(deadline=1000, max_examples=150)
@given(st.text(max_size=400))
def test_random_text_returns_or_raises_yaml_problem(text: str) -> None:
    try:
        data, marks = load_yaml_text(text, "fuzz.yaml")
    except YamlProblem as exc:
        assert exc.problem.line >= 1 and exc.problem.col >= 1
        assert "\n" not in str(exc)
    else:
        assert isinstance(data, dict) and () in marks


@settings(
    deadline=1000, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255), st.sampled_from("sid")),
        min_size=1,
        max_size=8,
    )
)
def test_byte_mutations_never_raise(tmp_path: Path, edits: list[tuple[int, int, str]]) -> None:
    data = bytearray(GOOD.encode())
    for pos, byte, op in edits:
        pos = min(pos, len(data))
        if op == "s" and pos < len(data):
            data[pos] = byte
        elif op == "i":
            data.insert(pos, byte)
        elif op == "d" and pos < len(data):
            del data[pos]
    path = tmp_path / "mutant.yaml"
    path.write_bytes(bytes(data))
    model, problems = validate_file(path, Case)
    assert (model is None) == bool(problems)
    assert all(p.file == str(path) and p.line >= 1 and p.col >= 1 for p in problems)
    assert problems == sorted(problems)
