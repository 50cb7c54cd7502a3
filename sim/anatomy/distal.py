"""Procedural distal tree: recursive weighted bisection of a segment's territory.

Each segment's territory is sampled by leaf points (lumped arteriolar beds of equal normal
mass, plus tumour feeder points weighted by their flow). The point set is split in two along its
principal axis at a jittered weighted median; each half gets a vessel from the parent
bifurcation toward its weighted centroid, and the split recurses until one point is left. The
result is a space-filling binary tree whose flows are known at every segment, so calibres follow
Murray's law from flow (``r ∝ Q^(1/n)``), with a scattered exponent per bifurcation
(:func:`sim.anatomy.build._assign_radii`).

Preconditions: points lie inside the segment; weights are positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.anatomy.graph import Bed, GraphBuilder

BRANCH_FRACTION = 0.45  # how far toward the group centroid a bifurcation sits (U: looks right)
SPLIT_JITTER = 0.12  # weighted-median quantile jitter: asymmetric bifurcations (U)


@dataclass
class Leaf:
    """A terminal point of the distal tree and the bed it feeds."""

    pos: np.ndarray
    bed: Bed


def grow(
    b: GraphBuilder,
    root: int,
    leaves: list[Leaf],
    name: str,
    segment: str,
    rng: np.random.Generator,
) -> None:
    """Grow a binary tree from node ``root`` down to ``leaves``.

    Vessels are named by their branching path below the segmental artery: ``S6.0``, ``S6.01`` …
    (0 = first child, 1 = second). Calibres are left for :func:`assign_radii`.
    """
    pos = np.array([lf.pos for lf in leaves])
    w = np.array([lf.bed.flow_ml_min for lf in leaves])
    stack = [(root, np.arange(len(leaves)), name)]
    while stack:
        parent, idx, label = stack.pop()
        start = b.g.nodes[parent]["pos"]
        if idx.size == 1:
            leaf = leaves[int(idx[0])]
            node = (
                b.vessel(parent, leaf.pos, label, segment=segment, derived=True)
                if label != name
                else parent
            )
            b.bed(node, leaf.pos + np.array([0.0, 0.8]), leaf.bed)
            continue
        groups = _split(pos[idx], w[idx], rng)
        for k, sub in enumerate(groups):
            child_idx = idx[sub]
            child_label = f"{label}.{k}" if label == name else f"{label}{k}"
            if child_idx.size == 1:
                stack.append((parent, child_idx, child_label))
                continue
            c = np.average(pos[child_idx], axis=0, weights=w[child_idx])
            frac = BRANCH_FRACTION * rng.uniform(0.8, 1.2)
            node = b.vessel(
                parent, start + frac * (c - start), child_label, segment=segment, derived=True
            )
            stack.append((node, child_idx, child_label))


def _split(p: np.ndarray, w: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split points in two along the weighted principal axis at a jittered weighted median."""
    c = np.average(p, axis=0, weights=w)
    d = p - c
    cov = (d * w[:, None]).T @ d
    _, vecs = np.linalg.eigh(cov)
    proj = d @ vecs[:, -1]
    order = np.argsort(proj, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    q = 0.5 + rng.uniform(-SPLIT_JITTER, SPLIT_JITTER)
    k = int(np.searchsorted(cum, q))
    k = min(max(k, 1), len(order) - 1)
    return order[:k], order[k:]


def sample_leaves(
    points: np.ndarray, n: int, rng: np.random.Generator, grid_mm: float
) -> np.ndarray:
    """Pick ``n`` well-spread leaf positions from a territory's grid points (jittered).

    Farthest-point-like spreading: points are drawn without replacement and jittered within a
    grid cell so leaves never coincide.
    """
    n = min(n, len(points))
    pick = rng.choice(len(points), size=n, replace=False)
    jitter = rng.uniform(-0.5, 0.5, size=(n, 2)) * grid_mm
    return points[pick] + jitter
