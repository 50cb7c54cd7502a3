"""A 2-D (AP projection) liver silhouette divided into Couinaud territories.

Coordinates are millimetres on the AP image: x to the viewer's right (the patient's left),
y downward (caudal). The right lobe is therefore on the left of the picture, as on a
fluoroscopy monitor. Territories are a power diagram of one site per segment whose weights are
adjusted until each territory's area share matches the segment's volume share (the projection
stands in for the volume: a simplification noted in ``docs/physics.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.models import SEGMENTS

# Outline of the liver on the AP image, mm (drawn to resemble a frontal radiograph; U).
LIVER_OUTLINE_MM = np.array(
    [
        (12, 70),
        (22, 38),
        (48, 16),
        (90, 6),
        (135, 10),
        (175, 18),
        (215, 28),
        (248, 42),
        (262, 56),
        (250, 70),
        (222, 88),
        (192, 104),
        (165, 122),
        (140, 140),
        (110, 158),
        (78, 170),
        (48, 166),
        (24, 148),
        (10, 112),
    ],
    dtype=float,
)

# One site per segment (mm), placed after the usual frontal projection of Couinaud's segments
# (U): posterior-superior right (S7) lateral and high, S8 medial-high, S6 lateral-low, S5
# medial-low next to the gallbladder fossa, S4 between the fossa and the falciform ligament,
# S2/S3 in the left lateral section, S1 over the hilum and IVC.
SEGMENT_SITES_MM = {
    "S1": (128.0, 100.0),
    "S2": (215.0, 50.0),
    "S3": (200.0, 88.0),
    "S4": (155.0, 62.0),
    "S5": (95.0, 118.0),
    "S6": (40.0, 120.0),
    "S7": (45.0, 60.0),
    "S8": (100.0, 50.0),
}

# Default volume split, % (fitted to the rank order VIII > VII > IV > V > III > VI > II > I and
# the S8 median 26 % of HPB 2013, PMID 24033584; the split itself is U — reference §1.3).
DEFAULT_VOLUME_PERCENT = {
    "S1": 3.0,
    "S2": 8.0,
    "S3": 9.0,
    "S4": 15.0,
    "S5": 13.5,
    "S6": 8.5,
    "S7": 17.0,
    "S8": 26.0,
}
GRID_MM = 2.0


def inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd rule point-in-polygon test.

    Parameters
    ----------
    points : ndarray, shape (P, 2)
    polygon : ndarray, shape (V, 2)

    Returns
    -------
    ndarray of bool, shape (P,)
    """
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(points.shape[0], dtype=bool)
    xj, yj = polygon[-1]
    for xi, yi in polygon:
        crosses = (yi > y) != (yj > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (xj - xi) * (y - yi) / (yj - yi) + xi
        inside ^= crosses & (x < x_at)
        xj, yj = xi, yi
    return inside


@dataclass(frozen=True)
class Territories:
    """Grid samples of the silhouette labelled by segment.

    Attributes
    ----------
    points : ndarray, shape (P, 2)
        Grid points inside the liver, mm.
    label : ndarray of int, shape (P,)
        Index into ``SEGMENTS`` of each point's segment.
    share : dict
        Achieved area share per segment (sums to 1).
    """

    points: np.ndarray
    label: np.ndarray
    share: dict[str, float]

    def points_of(self, segment: str) -> np.ndarray:
        return self.points[self.label == SEGMENTS.index(segment)]

    def centroid(self, segment: str) -> np.ndarray:
        return self.points_of(segment).mean(axis=0)

    def segment_at(self, xy: np.ndarray) -> np.ndarray:
        """Segment index of the nearest grid point to each query point, shape (Q,)."""
        xy = np.atleast_2d(xy)
        d2 = ((xy[:, None, :] - self.points[None, :, :]) ** 2).sum(-1)
        return self.label[np.argmin(d2, axis=1)]


def make_territories(volume_percent: dict[str, float]) -> Territories:
    """Split the silhouette so each segment's area share matches ``volume_percent``.

    Weights of a power diagram are adjusted iteratively (deterministic, no randomness).
    """
    xs = np.arange(LIVER_OUTLINE_MM[:, 0].min(), LIVER_OUTLINE_MM[:, 0].max(), GRID_MM)
    ys = np.arange(LIVER_OUTLINE_MM[:, 1].min(), LIVER_OUTLINE_MM[:, 1].max(), GRID_MM)
    gx, gy = np.meshgrid(xs + GRID_MM / 2, ys + GRID_MM / 2)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts = pts[inside_polygon(pts, LIVER_OUTLINE_MM)]
    sites = np.array([SEGMENT_SITES_MM[s] for s in SEGMENTS])
    target = np.array([volume_percent[s] for s in SEGMENTS], dtype=float)
    target = target / target.sum()
    d2 = ((pts[:, None, :] - sites[None, :, :]) ** 2).sum(-1)
    weights = np.zeros(len(SEGMENTS))
    for _ in range(400):
        label = np.argmin(d2 - weights[None, :], axis=1)
        share = np.bincount(label, minlength=len(SEGMENTS)) / len(pts)
        err = target - share
        if np.abs(err).max() < 0.002:
            break
        weights += 4000.0 * err
    return Territories(pts, label, {s: float(share[i]) for i, s in enumerate(SEGMENTS)})
