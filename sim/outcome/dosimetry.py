"""Y-90 dosimetry: MIRD local deposition, lung dose, partition and BSA activity planning.

All formulas from ``reference.md`` §4.1.
"""

from __future__ import annotations

import math

# Local-deposition constant k = decays per GBq × mean β energy: 49.67 Gy·kg/GBq for
# E = 0.9312 MeV, T½ 64.1 h (reference §4.1, D; 50 with the TheraSphere insert's 0.9367 MeV).
MIRD_GY_KG_PER_GBQ = 49.67
LUNG_MASS_KG = 1.0  # TheraSphere 1-kg convention (M); ICRP 89 lungs 1.2 kg (R)
GLASS_TO_RESIN_EQUIVALENT = 70.0 / 120.0  # 70 Gy resin ≈ 120 Gy glass (Walrand 2014, R)


def mird_dose_gy(activity_gbq: float, mass_kg: float, lsf: float = 0.0) -> float:
    """Mean absorbed dose of ``activity_gbq`` deposited in ``mass_kg``: k·A·(1 − LSF)/M."""
    return MIRD_GY_KG_PER_GBQ * activity_gbq * (1.0 - lsf) / mass_kg


def lung_dose_gy(lung_activity_gbq: float, lung_mass_kg: float = LUNG_MASS_KG) -> float:
    """Lung dose from the activity that reached the lungs (1 kg convention)."""
    return MIRD_GY_KG_PER_GBQ * lung_activity_gbq / lung_mass_kg


def activity_for_dose_gbq(dose_gy: float, mass_kg: float, lsf: float = 0.0) -> float:
    """Activity giving ``dose_gy`` to ``mass_kg``: D·M / (k (1 − LSF))."""
    return dose_gy * mass_kg / (MIRD_GY_KG_PER_GBQ * (1.0 - lsf))


def partition_activity_gbq(
    tumor_dose_gy: float, tumor_mass_kg: float, normal_mass_kg: float, tnr: float, lsf: float
) -> float:
    """Partition model: A = D_T (TNR·M_T + M_NL) / (k (1 − LSF) TNR)."""
    return (
        tumor_dose_gy
        * (tnr * tumor_mass_kg + normal_mass_kg)
        / (MIRD_GY_KG_PER_GBQ * (1.0 - lsf) * tnr)
    )


def partition_doses_gy(
    activity_gbq: float, tumor_mass_kg: float, normal_mass_kg: float, tnr: float, lsf: float
) -> tuple[float, float, float]:
    """(tumour, normal liver, lung) doses of the partition model for ``activity_gbq``."""
    d_t = (
        MIRD_GY_KG_PER_GBQ
        * activity_gbq
        * (1.0 - lsf)
        * tnr
        / (tnr * tumor_mass_kg + normal_mass_kg)
    )
    return d_t, d_t / tnr, lung_dose_gy(activity_gbq * lsf)


def bsa_m2(weight_kg: float, height_cm: float) -> float:
    """Body surface area, Mosteller: √(height·weight/3600) (formula M, not in the reference)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


def lsf_reduction(lsf: float) -> float | None:
    """Resin activity factor for the lung shunt: >10 % → 0.8, >15 % → 0.6, >20 % → do not treat.

    Returns None for "do not treat" (van Roekel thesis p.41, R).
    """
    if lsf > 0.20:
        return None
    if lsf > 0.15:
        return 0.6
    if lsf > 0.10:
        return 0.8
    return 1.0


def bsa_activity_gbq(bsa: float, tumor_fraction: float, lsf: float) -> float | None:
    """Resin BSA method: A = (BSA − 0.2 + V_T/V_L) × LSF reduction (Kao 2011, R2)."""
    red = lsf_reduction(lsf)
    if red is None:
        return None
    return (bsa - 0.2 + tumor_fraction) * red


def resin_equivalent_gy(dose_gy: float, device: str) -> float:
    """Normal-liver dose expressed as resin-equivalent Gy (glass Gy weigh less; Walrand 2014)."""
    return dose_gy * GLASS_TO_RESIN_EQUIVALENT if device == "y90_glass" else dose_gy
