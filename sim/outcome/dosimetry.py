"""Y-90 dosimetry: MIRD local deposition, lung dose, partition and BSA activity planning.

All formulas from ``reference.md`` §4.1; dose bands §4.2 and §9; vials and half-life §3.4.
"""

from __future__ import annotations

from sim.agents import Y90_HALF_LIFE_H

# Local-deposition constant k = decays per GBq × mean β energy: 49.67 Gy·kg/GBq for
# E = 0.9312 MeV, T½ 64.1 h (reference §4.1, D; 50 with the TheraSphere insert's 0.9367 MeV).
MIRD_GY_KG_PER_GBQ = 49.67
LUNG_MASS_KG = 1.0  # TheraSphere 1-kg convention (M); ICRP 89 lungs 1.2 kg (R)
GLASS_TO_RESIN_EQUIVALENT = 70.0 / 120.0  # 70 Gy resin ≈ 120 Gy glass (Walrand 2014, R)
GLASS_VIALS_GBQ = (3.0, 5.0, 7.0, 10.0, 15.0, 20.0)  # at calibration (TheraSphere insert, R)
RESIN_VIAL_GBQ = 3.0  # ± 10 %, divisible (sirtex.com, R)
# Tumour dose bands, Gy: (lower edge, what reaching it means) — reference §4.2 and §9.
TUMOR_DOSE_BANDS = (
    (113.0, "NET TARE series median (Memon, R2)"),
    (190.0, "radiation segmentectomy, glass (Lewandowski 2018, R)"),
    (292.0, "glass D50 for tumour control (JNM 2020, R)"),
)


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
    """Body surface area, m², by DuBois: 0.007184 W^0.425 H^0.725 (W kg, H cm).

    The resin BSA method is defined with DuBois (Sirtex IFU; Kao 2011, M).
    """
    return 0.007184 * weight_kg**0.425 * height_cm**0.725


def decay_factor(hours: float) -> float:
    """Fraction of Y-90 activity left after ``hours``: 2^(−t / 64.1 h) (TheraSphere insert, R)."""
    return 2.0 ** (-hours / Y90_HALF_LIFE_H)


def vial_for(agent: str, activity_gbq: float, hours: float) -> float | None:
    """Calibrated vial (GBq) holding ``activity_gbq`` after ``hours`` of decay, None if none does.

    Glass: the smallest catalogue vial; resin: the one 3-GBq divisible vial.
    """
    sizes = GLASS_VIALS_GBQ if agent == "y90_glass" else (RESIN_VIAL_GBQ,)
    left = decay_factor(hours)
    return next((v for v in sizes if v * left >= activity_gbq), None)


def tumor_dose_band(dose_gy: float) -> str:
    """The highest reference band a tumour dose reaches (§4.2, §9)."""
    reached = [text for edge, text in TUMOR_DOSE_BANDS if dose_gy >= edge]
    return f"≥ {reached[-1]}" if reached else f"below the {TUMOR_DOSE_BANDS[0][1]}"


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


def bsa_activity_gbq(
    bsa: float, tumor_fraction: float, lsf: float, perfused_fraction: float = 1.0
) -> float | None:
    """Resin BSA method: A = (BSA − 0.2 + V_T/V_L) × LSF reduction (Kao 2011, R2).

    ``perfused_fraction`` scales a lobar or segmental treatment by the share of the liver the
    tip perfuses (Sirtex IFU practice, M). None: do not treat (shunt above 20 %).
    """
    red = lsf_reduction(lsf)
    if red is None:
        return None
    return (bsa - 0.2 + tumor_fraction) * red * perfused_fraction


def resin_equivalent_gy(dose_gy: float, device: str) -> float:
    """Normal-liver dose expressed as resin-equivalent Gy (glass Gy weigh less; Walrand 2014)."""
    return dose_gy * GLASS_TO_RESIN_EQUIVALENT if device == "y90_glass" else dose_gy
