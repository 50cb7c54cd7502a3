"""Unit conversions at the edges.

Inside the simulation everything is SI: metres, seconds, pascals, m³/s, kilograms, becquerels.
Scenario files and the user interface speak clinical units (mm, µm, mL/min, mmHg, GBq, Gy);
this module is the only place that converts between the two.
"""

from __future__ import annotations

MMHG_TO_PA = 133.322387415  # 1 mmHg in Pa (definition: 13.5951 g/cm³ × g × 1 mm)
ML_TO_M3 = 1e-6
MIN_TO_S = 60.0
FRENCH_TO_MM = 1.0 / 3.0  # Charrière: 1 Fr = 1/3 mm outer diameter (reference.md §2.6, tag M)


def mmhg_to_pa(p_mmhg: float) -> float:
    """Pressure in mmHg → Pa."""
    return p_mmhg * MMHG_TO_PA


def pa_to_mmhg(p_pa: float) -> float:
    """Pressure in Pa → mmHg."""
    return p_pa / MMHG_TO_PA


def ml_min_to_m3_s(q_ml_min: float) -> float:
    """Flow in mL/min → m³/s."""
    return q_ml_min * ML_TO_M3 / MIN_TO_S


def m3_s_to_ml_min(q_m3_s: float) -> float:
    """Flow in m³/s → mL/min."""
    return q_m3_s * MIN_TO_S / ML_TO_M3


def ml_to_m3(v_ml: float) -> float:
    """Volume in mL → m³."""
    return v_ml * ML_TO_M3


def m3_to_ml(v_m3: float) -> float:
    """Volume in m³ → mL."""
    return v_m3 / ML_TO_M3


def mm_to_m(x_mm: float) -> float:
    """Length in mm → m."""
    return x_mm * 1e-3


def m_to_mm(x_m: float) -> float:
    """Length in m → mm."""
    return x_m * 1e3


def um_to_m(x_um: float) -> float:
    """Length in µm → m."""
    return x_um * 1e-6


def m_to_um(x_m: float) -> float:
    """Length in m → µm."""
    return x_m * 1e6


def french_to_m(fr: float) -> float:
    """Catheter size in French (Charrière) → outer diameter in m."""
    return fr * FRENCH_TO_MM * 1e-3


def gbq_to_bq(a_gbq: float) -> float:
    """Activity in GBq → Bq."""
    return a_gbq * 1e9


def bq_to_gbq(a_bq: float) -> float:
    """Activity in Bq → GBq."""
    return a_bq * 1e-9


def ml_min_to_ml_s(q_ml_min: float) -> float:
    """Flow in mL/min → mL/s (hand injections and syringe pushes stay in mL)."""
    return q_ml_min / MIN_TO_S


def g_to_kg(m_g: float) -> float:
    """Mass in g → kg."""
    return m_g / 1e3
