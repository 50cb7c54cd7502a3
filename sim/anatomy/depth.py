"""Depth (anterior–posterior position) of the anatomy, for C-arm angulation only.

The anatomy is drawn on the AP image (x to the patient's left, y caudal, mm). Angulating the
C-arm needs the third coordinate: ``z``, mm, positive **anterior**, zero on the coronal plane of
the hepatic hilum (the portal bifurcation). Nothing here touches flow or transport: depth is read
by the renderer's projection (:mod:`sim.render.projection`) and never changes the physics.

Placement follows the textbook relations (docs/physics.md §3.7 lists them with their reasons):
the left lobe (S2, S3, S4) and the right anterior section (S5, S8) lie in front, the right
posterior section (S6, S7) and the caudate (S1) behind; the aorta, coeliac trunk, splenic artery
and pancreas are retroperitoneal; the GDA runs down in front of the pancreas head; the right
gastric artery runs along the lesser curve in the lesser omentum; the cystic artery and the
gallbladder lie under the anterior inferior surface; the falciform artery runs to the anterior
abdominal wall. All values are teaching choices (U) on the scale of an adult liver (about
15 cm front to back on the right, reference §1.3).
"""

from __future__ import annotations

import numpy as np

# Centre depth of each Couinaud segment's territory, mm anterior of the hilum plane (U).
SEGMENT_DEPTH_MM = {
    "S1": -35.0,  # caudate: behind the hilum, in front of the IVC
    "S2": 15.0,  # left lateral, superior (the posterior half of the left lateral section)
    "S3": 40.0,  # left lateral, inferior: anterior
    "S4": 42.0,  # left medial: anterior, between the fossa and the falciform ligament
    "S5": 35.0,  # right anterior, inferior
    "S6": -42.0,  # right posterior, inferior
    "S7": -52.0,  # right posterior, superior: the most posterior
    "S8": 10.0,  # right anterior, superior: reaches back under the dome
}
SEGMENT_SPREAD_MM = 10.0  # smooth depth variation within a segment, ± mm (U)

# Depth of each named vessel where it ends (its distal node), mm (U).
VESSEL_DEPTH_MM = {
    "coeliac": -35.0,  # leaves the aorta forward
    "splenic": -50.0,  # back and left along the pancreas' upper border
    "LGA": -25.0,  # up to the cardia on the posterior wall of the lesser sac
    "CHA": -25.0,  # right along the upper border of the pancreas
    "GDA": -8.0,  # down in front of the pancreas head, behind the duodenum
    "PHA": -12.0,  # up the hepatoduodenal ligament, in front of the portal vein
    "RHA": -12.0,  # behind the common hepatic duct, in front of the portal vein
    "LHA": 5.0,  # to the umbilical fissure
    "RGA": 12.0,  # along the lesser curve, in the lesser omentum
    "cystic": 15.0,  # to the gallbladder under the anterior inferior surface
    "falciform": 65.0,  # to the anterior abdominal wall
    "SMA": -40.0,  # forward and down behind the pancreas neck
    "IPA": -55.0,  # on the posterior diaphragm
    "RA": 15.0,  # right anterior sectoral artery
    "RP": -30.0,  # right posterior sectoral artery
    "aLHA": 0.0,
    "aRHA": -25.0,  # replaced/accessory RHA behind the portal vein
}
AORTA_DEPTH_MM = -60.0  # the aorta at the coeliac level, in front of the spine
SPINE_DEPTH_MM = -95.0  # centre of the vertebral bodies
RIB_DEPTH_MM = -20.0  # the lower ribs, taken as one shell at mid-depth
GAS_DEPTH_MM = 10.0  # bowel gas (transverse colon, stomach): anterior
LIVER_DEPTH_RANGE_MM = (-45.0, 35.0)  # the silhouette: the outline swept this deep (its rim is
# thinner than the 15-cm right lobe; U)

# Non-target organs: depth of their centre, mm (U).
ORGAN_DEPTH_MM = {
    "gallbladder": 25.0,
    "stomach": 20.0,
    "duodenum_pancreas": -25.0,  # the pancreas head behind the GDA
    "spleen": -60.0,
    "skin": 75.0,
    "bowel": 0.0,
    "diaphragm": -55.0,
}


def segment_depth(seg: str, xy: np.ndarray) -> np.ndarray:
    """Depth (mm) of points ``xy`` (…, 2) in segment ``seg``: its centre depth plus a smooth,
    fixed variation so the vessels of one segment do not all lie in one plane."""
    xy = np.asarray(xy, float)
    base = SEGMENT_DEPTH_MM.get(seg, 0.0)
    wave = np.sin(xy[..., 0] / 23.0 + 0.7) * np.cos(xy[..., 1] / 19.0 - 0.4)
    return base + SEGMENT_SPREAD_MM * wave


def node_depths(
    node_pos: np.ndarray,
    edge_from: np.ndarray,
    edge_to: np.ndarray,
    names: list[str],
    segments: list[str | None],
    bed_of_edge: list[str | None],
    root: int,
) -> np.ndarray:
    """Depth (mm) of every node of the arterial tree.

    Parameters
    ----------
    node_pos : ndarray (N, 2)
        AP positions, mm.
    edge_from, edge_to : ndarray of int (E,)
        Proximal and distal node of each edge, tree edges in breadth-first order.
    names, segments : list (E,)
        Vessel name and Couinaud segment of each edge (beds: ``bed:…`` and their segment).
    bed_of_edge : list (E,)
        The bed kind of each bed edge, None for vessels.
    root : int
        The aortic node.

    A node takes the depth of the edge that ends in it: a liver segment's vessels and beds from
    :func:`segment_depth` at the node's position, named vessels from :data:`VESSEL_DEPTH_MM`,
    organ beds from :data:`ORGAN_DEPTH_MM`; anything else its parent's depth (collaterals end in
    nodes already placed).
    """
    z = np.full(len(node_pos), np.nan)
    z[root] = AORTA_DEPTH_MM
    for e, v in enumerate(edge_to):
        kind, seg, name = bed_of_edge[e], segments[e], names[e]
        if kind is not None and kind in ORGAN_DEPTH_MM:
            z[v] = ORGAN_DEPTH_MM[kind]
        elif seg is not None:
            z[v] = segment_depth(seg, node_pos[v])
        elif not np.isnan(z[v]):
            continue  # a collateral ending in a node already placed
        elif name in VESSEL_DEPTH_MM:
            z[v] = VESSEL_DEPTH_MM[name]
        else:
            z[v] = z[edge_from[e]]
    return np.where(np.isnan(z), 0.0, z)
