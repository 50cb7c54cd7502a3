"""The microcatheter as the flow sees it: a coaxial body that narrows each lumen it lies in.

Flow through the annulus between a vessel of radius R and a catheter of radius r (coaxial,
Poiseuille): Q = π ΔP / (8 μ L) · [R⁴ − r⁴ − (R² − r²)² / ln(R/r)] (Bird, Stewart & Lightfoot,
annular flow). The factor below is that bracket over R⁴: 1 for no catheter, → 0 as r → R, which
is the wedge. A real catheter lies off-centre, against the wall, which raises the annular flow by
up to ~2.5× for moderate gaps (eccentric annulus, Snyder & Goldstein 1965, M); we take
min(2.5 × coaxial, (1 − k²)²) with k = r/R (simplification, ``docs/physics.md``).
"""

from __future__ import annotations

import numpy as np

ECCENTRIC_GAIN = 2.5  # eccentric vs coaxial annulus flow (M)
WEDGE_FACTOR = 0.02  # below 2 % of the free lumen's conductance we call the catheter wedged (U)


def annulus_factor(vessel_radius: np.ndarray, catheter_radius: float) -> np.ndarray:
    """Conductance of the annulus relative to the free lumen (0 where the catheter fills it)."""
    rv = np.asarray(vessel_radius, dtype=float)
    k = np.where(rv > 0, catheter_radius / np.where(rv > 0, rv, 1.0), 1.0)
    out = np.zeros_like(rv)
    ok = k < 1.0
    kk = np.clip(k[ok], 1e-12, 1.0 - 1e-12)
    coaxial = 1.0 - kk**4 - (1.0 - kk**2) ** 2 / np.log(1.0 / kk)
    out[ok] = np.minimum(ECCENTRIC_GAIN * coaxial, (1.0 - kk**2) ** 2)
    return np.clip(out, 0.0, 1.0)


def can_enter(vessel_radius: np.ndarray, catheter_radius: float) -> np.ndarray:
    """Whether a catheter fits each vessel: not one narrower than itself (Schneider; reference
    §2.6). Elementwise over ``vessel_radius`` (m); ``catheter_radius`` in m."""
    return np.asarray(vessel_radius) > catheter_radius
