"""Cumulative dose-volume histograms (DVH) from per-bed absorbed doses.

A cumulative DVH gives, for each dose ``d``, the fraction of a structure's mass that absorbs at
least ``d``: ``V(d) = Σ m_b [D_b ≥ d] / Σ m_b``. It starts at ``V(0) = 1`` and never rises.
Here mass stands for volume (one tissue density throughout, as in MIRD).

Two forms, both lists of :class:`DosePoint` ``(dose_gy, volume_fraction)`` with the dose
ascending (as JSON, ``{"dose_gy": d, "volume_fraction": v}``):

- :func:`cumulative_dvh` gives the *exact* step function of a few beds (a tumour's rim and core
  sub-beds): the first point is ``(0, 1)``, then one point per distinct dose ``d_i`` with
  ``V(d_i)``; between ``d_{i-1}`` and ``d_i`` the curve stands at ``V(d_i)`` and it falls to 0
  just above the last dose. The mass-weighted mean dose is then the area under the curve,
  ``Σ (d_i − d_{i−1}) V(d_i)`` (:func:`mean_dose_gy`).
- :func:`sampled_dvh` samples ``V`` on an even grid from 0 to the highest dose, for structures of
  hundreds of beds (a Couinaud segment's normal liver), where the exact form would be long.

The resolution is the model's: a tumour has one to four rim sub-beds and one core, so its DVH
has at most five steps — a simulation estimate, not a voxel dosimetry.

This module is part of the headless core (numpy only).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

SAMPLED_LEVELS = 21  # dose levels of a sampled DVH, 0 … max inclusive (compact JSON)


@dataclass(frozen=True)
class DosePoint:
    """One point of a cumulative DVH: ``volume_fraction`` of the mass absorbs ≥ ``dose_gy``."""

    dose_gy: float
    volume_fraction: float

    def to_dict(self) -> dict:
        """``{"dose_gy", "volume_fraction"}``, as the outcome's JSON stores it."""
        return asdict(self)


def _as_arrays(dose_gy, mass_g) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(dose_gy, dtype=float).ravel()
    m = np.asarray(mass_g, dtype=float).ravel()
    if d.shape != m.shape:
        raise ValueError(f"dose and mass differ in length: {d.size} vs {m.size}")
    keep = m > 0
    return np.maximum(d[keep], 0.0), m[keep]


def _point(d: float, v: float) -> DosePoint:
    return DosePoint(round(float(d), 3), round(float(v), 6))


def cumulative_dvh(dose_gy, mass_g) -> list[DosePoint]:
    """The exact cumulative DVH of beds with doses ``dose_gy`` (Gy) and masses ``mass_g`` (g).

    Parameters
    ----------
    dose_gy, mass_g : array_like
        One value per bed; beds of zero mass are ignored.

    Returns
    -------
    list of DosePoint
        ``(0, 1)`` followed by ``(d_i, V(d_i))`` for each distinct positive dose, ascending;
        empty when the total mass is zero.

    Examples
    --------
    >>> [(p.dose_gy, p.volume_fraction) for p in cumulative_dvh([10.0, 20.0], [4.0, 6.0])]
    [(0.0, 1.0), (10.0, 1.0), (20.0, 0.6)]
    """
    d, m = _as_arrays(dose_gy, mass_g)
    total = float(m.sum())
    if total <= 0:
        return []
    order = np.argsort(d, kind="stable")
    d, m = d[order], m[order]
    levels, first = np.unique(d, return_index=True)
    at_or_above = np.cumsum(m[::-1])[::-1] / total  # mass fraction with dose ≥ d[k]
    points = [_point(0.0, 1.0)]
    for lv, k in zip(levels, first, strict=True):
        if lv > 0:
            points.append(_point(lv, min(1.0, at_or_above[k])))
    return points


def sampled_dvh(dose_gy, mass_g, levels: int = SAMPLED_LEVELS) -> list[DosePoint]:
    """The cumulative DVH sampled at ``levels`` even doses from 0 to the highest dose.

    Parameters
    ----------
    dose_gy, mass_g : array_like
        One value per bed.
    levels : int
        Number of dose levels (at least 2).

    Returns
    -------
    list of DosePoint
        ``(d_k, V(d_k))``; just ``[(0, 1)]`` when no bed absorbed any dose, empty when the
        total mass is zero. Read it as a line through the points (an approximation between
        them, exact at them).
    """
    d, m = _as_arrays(dose_gy, mass_g)
    total = float(m.sum())
    if total <= 0:
        return []
    top = float(d.max()) if d.size else 0.0
    if top <= 0:
        return [_point(0.0, 1.0)]
    grid = np.linspace(0.0, top, max(2, int(levels)))
    v = [float(m[d >= g].sum()) / total for g in grid]
    v[0] = 1.0
    return [_point(g, x) for g, x in zip(grid, v, strict=True)]


def mean_dose_gy(points: list[DosePoint]) -> float:
    """Mass-weighted mean dose of an exact DVH (:func:`cumulative_dvh`): the area under it."""
    area, prev = 0.0, 0.0
    for p in points:
        area += (p.dose_gy - prev) * p.volume_fraction
        prev = p.dose_gy
    return area


def dose_at_volume_gy(points: list[DosePoint], fraction: float) -> float:
    """``D_v``: the highest listed dose that at least ``fraction`` of the mass absorbs.

    For an exact DVH this is the minimum dose to the hottest ``fraction`` of the structure
    (``D90`` for ``fraction=0.9``); 0 when even the whole structure falls short.
    """
    best = 0.0
    for p in points:
        if p.volume_fraction >= fraction - 1e-9:
            best = max(best, p.dose_gy)
    return best
