"""The Y-90 activity planner of the procedure panel: the mapping study's numbers for this case.

Before a radioembolization the team plans the activity from the Tc-99m MAA work-up: the lung
shunt fraction (LSF), the tumour-to-normal ratio (T/N), the body surface area. :func:`plan_y90`
gives the resin BSA method's activity, the partition model's activity for the scenario's target
tumour dose, and the lung dose the activity drawn up would give (Gy, against the limit).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.anatomy.build import Liver
from sim.outcome.dosimetry import (
    bsa_activity_gbq,
    bsa_m2,
    lung_dose_gy,
    partition_activity_gbq,
)
from sim.scenario.models import Scenario
from sim.units import g_to_kg

DEFAULT_TN_RATIO = 3.0  # when no target tumour states one (U)


@dataclass(frozen=True)
class Y90Plan:
    """Planning numbers for one case and the activity drawn up (GBq, Gy, m²)."""

    lung_shunt_fraction: float
    tn_ratio: float
    bsa_m2: float
    bsa_activity_gbq: float | None  # None: the BSA method says do not treat (LSF too high)
    target_dose_gy: float
    partition_activity_gbq: float
    activity_gbq: float
    lung_dose_gy: float
    lung_limit_gy: float


def plan_y90(scenario: Scenario, liver: Liver, activity_gbq: float) -> Y90Plan:
    """The planner's numbers for ``scenario`` on its built ``liver`` with ``activity_gbq`` drawn up.

    Tumour mass is that of the target tumours; T/N the highest stated among them.
    """
    lsf = scenario.shunt.lung_shunt_fraction
    liver_g = liver.liver_mass_g
    tumor_g = sum(pt.mass_g for pt in liver.tumors if pt.spec.target)
    tn = max((t.tn_ratio for t in scenario.tumors if t.target), default=DEFAULT_TN_RATIO)
    bsa = bsa_m2(scenario.patient.weight_kg, scenario.patient.height_cm)
    dose = scenario.scoring.tumor_target_dose_gy
    return Y90Plan(
        lung_shunt_fraction=lsf,
        tn_ratio=tn,
        bsa_m2=bsa,
        bsa_activity_gbq=bsa_activity_gbq(bsa, tumor_g / liver_g, lsf),
        target_dose_gy=dose,
        partition_activity_gbq=partition_activity_gbq(
            dose, g_to_kg(tumor_g), g_to_kg(liver_g - tumor_g), tn, lsf
        ),
        activity_gbq=activity_gbq,
        lung_dose_gy=lung_dose_gy(activity_gbq * lsf),
        lung_limit_gy=scenario.scoring.lung_dose_limit_gy,
    )
