"""``siphon new NAME``: a commented template case (every section) and its plan."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE = """\
# yaml-language-server: $schema=scenario.schema.json
# A Siphon teaching case. Every field is described in docs/authoring.md; your editor shows the
# same descriptions on hover. Units are in the field names (mm, um, mL/min, GBq, Gy).
schema_version: 1
title: "{title}"
summary: "One line the library shows."
difficulty: 1                 # 1 first case ... 5 expert
learning_goals:               # each with the check that grades it (docs/authoring.md §5)
  - goal: "Treat the tumour selectively."
    check:
      coverage: {{tumor: T1, min_percent: 70}}
  - goal: "Stop at the endpoint."
    check:
      endpoint: {{min_sace: 3, max_after_stasis_ml: 1}}
briefing:                     # what the fellow is told before starting
  history: "Age, primary, treatments so far."
  ct: "Size and segment of each lesion; arterial enhancement."
  pet: "Ga-68 DOTATATE uptake."
  biopsy: "WHO grade, Ki-67."
  mapping: ""                 # Tc-99m MAA result, for Y-90 cases
patient:
  age_y: 60
  sex: male                   # male | female (sets the reference liver mass)
  weight_kg: 75
  height_cm: 175
  bilirubin_mg_dl: 0.8
  albumin_g_dl: 4.0
  prior_whipple: false        # bilio-enteric anastomosis: abscess risk after embolization
  portal_vein_thrombosis: false
  prior_lung_dose_gy: 0       # Gy from earlier radioembolizations (50 Gy cumulative limit)
  prior_treatments: []
  carcinoid_syndrome: false
anatomy:
  michels: "I"                # I, II, III, IV, V or VI
  seed: 1                     # change it for another distal tree
  tree_segments: 2400         # 300-16000
  murray_exponent: 2.85       # 2.0-3.5
  right_gastric_origin: PHA   # PHA | LHA | GDA
  segment4_origin: LHA        # LHA | RHA
  segment_volume_percent: {{}}  # e.g. {{S8: 30}}
  vessels: {{}}                 # e.g. {{GDA: {{diameter_mm: 4.5}}}}
  extra_vessels: []           # parasitized_phrenic or collateral, see docs/authoring.md
tumors:
  - id: T1
    segment: S6               # S1 ... S8
    offset_mm: [0, 0]         # from the segment centre, on the AP image
    diameter_mm: 35
    tn_ratio: 4               # tumour-to-normal perfusion per gram
    necrotic_core: 0.0        # necrotic core diameter / tumour diameter
    target: true
shunt:
  lung_shunt_fraction: 0.03   # NET median 3 %
agents_available:             # the first one is what a naive plan would use
  - agent: bland
    sizes_um: [[100, 300], [300, 500]]
  - agent: y90_resin
catheter:
  french: 2.7
limits:
  time_min: 60
  contrast_ml: 150
  fluoro_min: 60
y90_intent: null   # Y-90: {{kind: segmentectomy}} or {{kind: lobar, min_gy: 30, max_gy: 70}}
scoring:
  coverage_weight: 45
  normal_liver_weight: 15
  non_target_weight: 20
  lung_weight: 5
  efficiency_weight: 5
  complications_weight: 10
  lung_dose_limit_gy: 30
  normal_liver_tolerance_gy: 70
  tumor_target_dose_gy: 120
  lung_dose_cumulative_limit_gy: 50
  complication_risk_limit: 0.5
key_projection:               # optional: the C-arm view that opens the key origin (key 5)
  lao_deg: -20                # + LAO, - RAO
  cran_deg: 0                 # + cranial, - caudal
  opens: "the GDA and RHA origins"
debrief_notes:
  - "Teaching text shown after the case, with its source."
hints:
  - "A hint the fellow can ask for."
seed: 1                       # procedure seed (particle paths)
visits: []         # staged: [{{kind: mapping, limits: {{time_min: 45}}}}, {{kind: treatment}}]
mapping_result: null   # an MAA result already known: {{lung_shunt_fraction: 0.08}}
"""

PLAN = """\
# Expert plan for {name}.yaml: the steps an expert takes. Check and run it with
#   python main.py validate {name}.yaml
#   python main.py run {name}.yaml --plan {name}.plan.yaml
actions:
  - navigate: feeder:T1        # or a vessel name: RHA, S6, ...
  - contrast: {{volume_ml: 3, rate_ml_s: 1}}
  - select_agent: {{agent: bland, size_um: [100, 300]}}
  - inject: {{volume_ml: 2, rate_ml_min: 1}}
  - contrast: {{volume_ml: 2, rate_ml_s: 0.5}}
  - finish
"""


def _create(path: Path, text: str) -> None:
    """Write a new file; ``FileExistsError`` if anything (even a dangling link) is there."""
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)


def write_template(name: str, folder: Path) -> list[Path]:
    """Write ``<name>.yaml`` and ``<name>.plan.yaml`` into ``folder``; never overwrite.

    Raises
    ------
    ValueError
        If ``name`` is not a plain file stem (letters, digits, ``_``, ``-``).
    FileExistsError
        If either file exists (nothing is written then).
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name):
        raise ValueError(
            f"{name[:40]!r} is not a case name (allowed: up to 64 letters, digits, '_' or '-')"
        )
    folder.mkdir(parents=True, exist_ok=True)
    case = folder / f"{name}.yaml"
    plan = folder / f"{name}.plan.yaml"
    for p in (case, plan):
        if p.exists() or p.is_symlink():
            raise FileExistsError(2, "exists", str(p))
    _create(case, TEMPLATE.format(title=name.replace("_", " ").capitalize()))
    _create(plan, PLAN.format(name=name))
    written = [case, plan]
    schema = folder / "scenario.schema.json"
    if not schema.exists() and not schema.is_symlink():  # the schema the first line points to
        from sim.scenario.schema import export_schema

        _create(schema, export_schema())
        written.append(schema)
    return written
