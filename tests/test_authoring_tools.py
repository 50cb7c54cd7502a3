"""Author tools: new, preview, list, schema — and the field table in docs/authoring.md."""

import numpy as np
import pygame
from helpers import ROOT, SCENARIOS
from helpers import run_main as main

from sim.scenario.docs import FIELD_TABLE_BEGIN, FIELD_TABLE_END, field_table
from sim.scenario.load import load_scenario
from sim.scenario.models import Scenario
from sim.scenario.template import TEMPLATE


def test_new_writes_a_valid_case_with_every_section(tmp_path):
    r = main("new", "my_case", "--folder", str(tmp_path))
    assert r.returncode == 0, r.stderr
    sc, problems = load_scenario(tmp_path / "my_case.yaml")
    assert not problems
    for field in Scenario.model_fields:
        assert f"\n{field}:" in TEMPLATE, field
    assert (tmp_path / "scenario.schema.json").exists()
    r = main("run", str(tmp_path / "my_case.yaml"), "--json")
    assert r.returncode == 0, r.stderr
    again = main("new", "my_case", "--folder", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_preview_draws_tumour_and_tree(tmp_path):
    out = tmp_path / "p.png"
    r = main("preview", str(SCENARIOS / "default.yaml"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    img = pygame.image.load(str(out))
    arr = pygame.surfarray.array3d(img).astype(int)
    assert arr.shape[:2] == (1200, 1000)
    red = (arr[..., 0] > 200) & (arr[..., 1] < 120) & (arr[..., 2] < 120)
    assert red.sum() > 300, "tumour outline drawn"
    white = arr.min(axis=2) > 220
    assert white.sum() > 5000, "vessel tree drawn"
    assert np.std(arr) > 20


def test_preview_of_a_broken_case_is_a_located_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ntumors: []\n")
    r = main("preview", str(bad), "-o", str(tmp_path / "x.png"))
    assert r.returncode == 1
    assert r.stderr.startswith(f"{bad}:2:") and "Traceback" not in r.stderr


def test_list_shows_titles_goals_and_broken_cases(tmp_path):
    (tmp_path / "a.yaml").write_text((SCENARIOS / "default.yaml").read_text())
    (tmp_path / "b.yaml").write_text("title: [\n")
    r = main("list", str(tmp_path))
    assert r.returncode == 0
    assert "Solitary right-lobe NET metastasis" in r.stdout and "difficulty 1" in r.stdout
    assert "See the siphon" in r.stdout
    assert "b.yaml: BROKEN" in r.stdout


def test_schema_command_prints_the_committed_schema():
    r = main("schema")
    assert r.stdout == (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")


def test_authoring_guide_field_table_is_generated_from_the_models():
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    start = text.index(FIELD_TABLE_BEGIN)
    end = text.index(FIELD_TABLE_END) + len(FIELD_TABLE_END)
    assert text[start:end] == field_table()
    for name in ("tumors[].diameter_mm", "anatomy.michels", "shunt.lung_shunt_fraction"):
        assert f"`{name}`" in text
