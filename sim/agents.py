"""The agent catalogue: sizes, suspension, activity, drug and radiopacity, each with its source.

Tags follow ``shared/domain/reference.md`` (R read in source, R2 secondary, M unverified,
D derived, U unsourced default chosen for playability — said so beside the value).

A *packet* in transport stands for many spheres of one agent; this module says how many spheres
a mL of suspension holds, how big they are (drawn from the product's size distribution), how
much activity or drug each carries and how strongly lodged volume occludes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

AgentId = Literal[
    "bland", "pva", "deb", "lipiodol", "y90_resin", "y90_glass", "lu177_dotatate", "maa"
]

# Packed beads are ~60 % sphere by volume (random close packing of spheres, M).
PACKING_FRACTION = 0.6


@dataclass(frozen=True)
class AgentSpec:
    """One product family.

    Attributes
    ----------
    id : str
        Plan/scenario id (``bland``, ``pva``, ``deb``, ``lipiodol``, ``y90_resin``, ``y90_glass``).
    sizes_um : tuple of (lo, hi)
        Nominal size ranges on the menu, µm.
    size_factor : float
        In-vivo diameter / nominal (DEB shrink on loading, PVA effective size).
    size_sd_fraction : float
        Standard deviation of diameters as a fraction of the range width (truncated normal).
    sphere_volume_fraction : float
        Sphere volume per volume of suspension as prepared (dimensionless).
    occlusion_potency : float
        Occlusion per lodged sphere volume relative to calibrated bland spheres.
    activity_per_sphere_bq : float
        Y-90 activity per sphere at calibration, Bq (0 for non-radioactive agents).
    radiopaque : bool
        Visible on fluoroscopy while injected (mixed with contrast, or oily contrast itself).
    published_mean_um, published_sd_um : float or None
        A product with a published diameter mean and spread (the Y-90 spheres) draws around
        them, truncated to its range, instead of around the middle of the range (µm).
    embolic : bool
        A particle or droplet that transport carries and lodges; False for a dissolved
        radiopharmaceutical (Lu-177 DOTATATE), taken up by receptor binding instead
        (:mod:`sim.engine.peptide`, :mod:`sim.outcome.lu177`).
    diagnostic : bool
        A mapping agent (Tc-99m MAA): it lodges like particles of its size and is imaged
        (:mod:`sim.outcome.scintigraphy`), but it does not occlude and the treatment's outcome
        (deposition, non-target, score) leaves it out.
    """

    id: str
    name: str
    sizes_um: tuple[tuple[float, float], ...]
    default_size_um: tuple[float, float]
    size_factor: float
    size_sd_fraction: float
    sphere_volume_fraction: float
    occlusion_potency: float
    activity_per_sphere_bq: float
    radiopaque: bool
    clump_probability: float = 0.0
    portal_passage: float = 0.0
    normal_liver_retention: float = 1.0
    published_mean_um: float | None = None
    published_sd_um: float | None = None
    embolic: bool = True
    diagnostic: bool = False  # a mapping agent: imaged, never part of the treatment's outcome


EMBOSPHERE_SIZES = (
    (40.0, 120.0),
    (100.0, 300.0),
    (300.0, 500.0),
    (500.0, 700.0),
    (700.0, 900.0),
    (900.0, 1200.0),
)  # Laurent 2004, PubMed 15126660 (R)

AGENTS: dict[str, AgentSpec] = {
    "bland": AgentSpec(
        id="bland",
        name="Bland microspheres (tris-acryl gelatin)",
        sizes_um=EMBOSPHERE_SIZES,
        default_size_um=(100.0, 300.0),
        size_factor=1.0,  # calibrated spheres (Birney & Siskin, R)
        size_sd_fraction=0.25,  # U: most spheres inside the labelled range
        # 1 mL packed spheres diluted to ~10 mL with contrast (U, playability; DC Bead practice
        # is 5–10 mL contrast per mL beads, PMC6315076 Table 4, R).
        sphere_volume_fraction=PACKING_FRACTION * 1.0 / 10.0,
        occlusion_potency=1.0,
        activity_per_sphere_bq=0.0,
        radiopaque=True,  # mixed with contrast
    ),
    "pva": AgentSpec(
        id="pva",
        name="Polyvinyl alcohol particles (non-spherical)",
        sizes_um=((45.0, 150.0), (150.0, 250.0), (250.0, 355.0), (355.0, 500.0), (500.0, 710.0)),
        default_size_um=(150.0, 250.0),
        # PVA occludes more proximally than spheres of matched nominal size and aggregates
        # (Derdeyn via Birney & Siskin, R); the 1.3× effective size is U.
        size_factor=1.3,
        size_sd_fraction=0.4,
        sphere_volume_fraction=PACKING_FRACTION * 1.0 / 10.0,
        occlusion_potency=1.2,  # U: irregular particles pack into clumps
        activity_per_sphere_bq=0.0,
        radiopaque=True,
        clump_probability=0.15,  # U: chance a packet is an aggregate of twice the size
    ),
    "deb": AgentSpec(
        id="deb",
        name="Drug-eluting beads (DC Bead, doxorubicin)",
        sizes_um=((70.0, 150.0), (100.0, 300.0), (300.0, 500.0), (500.0, 700.0), (700.0, 900.0)),
        default_size_um=(100.0, 300.0),
        size_factor=0.8,  # up to −20 % on loading at 25 mg/mL (DC Bead IFU, R)
        size_sd_fraction=0.25,
        # 2 mL beads per vial with 5–10 mL contrast per mL beads (IFU; PMC6315076 Table 4, R):
        # 2 mL beads in ~17 mL suspension (D).
        sphere_volume_fraction=PACKING_FRACTION * 2.0 / 17.0,
        occlusion_potency=1.0,
        activity_per_sphere_bq=0.0,
        radiopaque=True,
    ),
    "lipiodol": AgentSpec(
        id="lipiodol",
        name="Lipiodol–doxorubicin emulsion (conventional TACE)",
        sizes_um=((20.0, 80.0),),
        default_size_um=(20.0, 80.0),
        size_factor=1.0,
        # droplet median 33.7 µm (1 s/push) to 52 µm (2 s/push), JVIR 2017 PMID 28501268 (R)
        size_sd_fraction=0.3,
        sphere_volume_fraction=2.0 / 3.0,  # oil share of a 1:2 drug:oil emulsion (D); see
        # oil_fraction() for other ratios
        occlusion_potency=0.15,  # U: oil droplets slow flow transiently; the embolic follows
        activity_per_sphere_bq=0.0,
        radiopaque=True,  # 480 mg I/mL (SmPC, R)
        portal_passage=0.3,  # U: share crossing peribiliary plexus into portal venules (SmPC, R)
        normal_liver_retention=0.1,  # non-tumorous liver clears in 7–15 days (SmPC, R); U value
    ),
    "y90_resin": AgentSpec(
        id="y90_resin",
        name="Y-90 resin microspheres (SIR-Spheres)",
        sizes_um=((20.0, 60.0),),
        default_size_um=(20.0, 60.0),  # WJH 2015 Table 1, R; mean 32.5 µm
        size_factor=1.0,
        size_sd_fraction=0.25,
        sphere_volume_fraction=0.0,  # set by activity: spheres = activity / Bq per sphere
        occlusion_potency=1.0,
        activity_per_sphere_bq=50.0,  # ≈ 50 Bq (WJH/PMC6095426 tables, R)
        radiopaque=True,  # given with contrast during infusion (WJH 2015 Table 1, R)
        published_mean_um=32.5,  # WJH 2015;7:738 Table 1, R (Sirtex: 32 ± 10 µm)
        published_sd_um=10.0,  # sirtex.com product page, R
    ),
    "y90_glass": AgentSpec(
        id="y90_glass",
        name="Y-90 glass microspheres (TheraSphere)",
        sizes_um=((20.0, 30.0),),
        default_size_um=(20.0, 30.0),  # TheraSphere insert, R; mean 25 µm
        size_factor=1.0,
        size_sd_fraction=0.25,
        sphere_volume_fraction=0.0,
        occlusion_potency=1.0,
        activity_per_sphere_bq=2500.0,  # 3 GBq ↔ 1.2 × 10⁶ spheres (PMC6095426, R)
        radiopaque=False,  # infused without contrast: invisible
        published_mean_um=25.0,  # TheraSphere insert; WJH 2015 Table 1, R
        published_sd_um=2.5,  # U: a quarter of the 20–30 µm range (no published spread seen)
    ),
    "lu177_dotatate": AgentSpec(
        id="lu177_dotatate",
        name="Lu-177 DOTATATE (Lutathera), intra-arterial or intravenous",
        sizes_um=(),  # a solution: no particles, no size menu
        default_size_um=(0.0, 0.0),
        size_factor=1.0,
        size_sd_fraction=0.0,
        sphere_volume_fraction=0.0,
        occlusion_potency=0.0,
        activity_per_sphere_bq=0.0,
        radiopaque=False,
        embolic=False,
    ),
}

# Tc-99m MAA: about 400,000 particles in a 5-mL mapping dose (labels quote 200,000–700,000 per
# dose, M); the number only sets how many spheres a packet stands for (U).
MAA_PARTICLES_PER_ML = 80_000.0
# At least 90 % of the particles are 10–90 µm, none above 150 µm (Pulmotech MAA label, M); the
# counts skew small (most 10–40 µm; Hung 2000 sized 500 per kit, M): the draw centred on the
# range is scaled by 0.7, a 35-µm mean (U).
MAA_SIZE_FACTOR = 0.7
MAA_MEAN_DIAMETER_UM = 50.0 * MAA_SIZE_FACTOR
# particles per mL × the volume of a mean particle, cm³ (D)
MAA_SPHERE_FRACTION = MAA_PARTICLES_PER_ML * math.pi / 6.0 * (MAA_MEAN_DIAMETER_UM * 1e-4) ** 3
MAA_DEFAULT_MBQ = 150.0  # mapping activity, MBq (5 mCi ≈ 185 MBq, reference §2.4 and §9, R2)
AGENTS["maa"] = AgentSpec(
    id="maa",
    name="Tc-99m macroaggregated albumin (MAA, mapping)",
    sizes_um=((10.0, 90.0),),  # 10–90 µm (product literature via IO360, reference §9, R2)
    default_size_um=(10.0, 90.0),
    size_factor=MAA_SIZE_FACTOR,
    size_sd_fraction=0.25,
    sphere_volume_fraction=MAA_SPHERE_FRACTION,
    occlusion_potency=0.0,  # a tiny albumin mass: no embolic effect (reference §2.4, R2)
    activity_per_sphere_bq=0.0,  # Tc-99m is imaged, not a dose: see sim.outcome.scintigraphy
    radiopaque=False,  # given in saline, not with contrast
    diagnostic=True,
)

# Y-90 doses are drawn up in this much fluid and pushed with flushes (U, playability).
Y90_PREP_VOLUME_ML = {"y90_resin": 25.0, "y90_glass": 20.0}
# The activity drawn up and pushed as a solution (a vial in its volume): Y-90 spheres above, and
# Lu-177 DOTATATE, one 7.4 GBq vial of 20.5–25 mL (Lutathera SmPC, 370 MBq/mL at calibration, R).
VIAL_VOLUME_ML = {**Y90_PREP_VOLUME_ML, "lu177_dotatate": 25.0}
LU177_VIAL_GBQ = 7.4  # one Lutathera vial, the standard activity per cycle (SmPC, R)
LIPIODOL_MAX_ML = 15.0  # ≤ 15 mL per TACE session in adults (SmPC, R)
DEB_LOADING_MG_ML = (25.0, 37.5)  # doxorubicin mg per mL beads (IFU; PubMed 21184228, R)
DEB_MAX_DOX_MG = 150.0  # up to 150 mg in two vials per session (PMC6315076 Table 4, R)
DEB_ELUTED_FRACTION_6H = 0.21  # DC Bead in-vitro plateau at 6 h (de Baere 2016, R)
LIPIODOL_DOX_MG_PER_ML_DRUG = 10.0  # U: 50 mg doxorubicin in 5 mL aqueous phase
# drug:lipiodol 1:2 is the usual emulsion (70 % water-in-oil vs 16 % at 1:1; JVIR 2017,
# PMID 28501268, R); the ratio sets oil share and drug per mL, not the droplet size (D)
LIPIODOL_OIL_RATIO = 2.0
LIPIODOL_OIL_RATIOS = (1.0, 2.0, 3.0)  # the window's menu
Y90_HALF_LIFE_H = 64.1  # TheraSphere insert (R)


def sphere_volume_m3(diameter_m: np.ndarray | float) -> np.ndarray | float:
    """Volume of spheres of the given diameters, m³."""
    return math.pi / 6.0 * np.asarray(diameter_m) ** 3


def mean_diameter_um(agent: str, size_um: tuple[float, float]) -> float:
    """Mean in-vivo diameter for a nominal range (a product's published mean if it has one), µm."""
    spec = AGENTS[agent]
    if spec.published_mean_um is not None:
        return spec.published_mean_um
    return 0.5 * (size_um[0] + size_um[1]) * spec.size_factor


def draw_diameters_m(
    agent: str, size_um: tuple[float, float], n: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n`` in-vivo diameters (m) from the product's size distribution.

    A normal distribution centred on the nominal range, truncated to a quarter of the range
    beyond either end, then scaled by the product's size factor; PVA packets may be aggregates
    (twice the size). A product with a published mean and spread (the Y-90 spheres) is drawn
    around them and truncated to its range (resin: 32.5 µm in 20–60 µm, not the 40 µm middle).
    """
    spec = AGENTS[agent]
    lo, hi = size_um
    mid, width = 0.5 * (lo + hi), hi - lo
    if spec.published_mean_um is not None:
        d = rng.normal(spec.published_mean_um, spec.published_sd_um or 0.0, n)
        d = np.clip(d, lo, hi)
    else:
        d = rng.normal(mid, spec.size_sd_fraction * width, n)
        d = np.clip(d, lo - 0.25 * width, hi + 0.25 * width)
    d = np.maximum(d, 5.0) * spec.size_factor
    if spec.clump_probability > 0:
        d = np.where(rng.random(n) < spec.clump_probability, 2.0 * d, d)
    return d * 1e-6


def n_spheres(agent: str, activity_gbq: float) -> float:
    """Number of Y-90 spheres carrying ``activity_gbq`` (3 GBq glass ≈ 1.2 × 10⁶)."""
    bq = AGENTS[agent].activity_per_sphere_bq
    if bq <= 0:
        raise ValueError(f"{agent} is not radioactive")
    return activity_gbq * 1e9 / bq


def spheres_per_ml(
    agent: str,
    size_um: tuple[float, float],
    activity_gbq: float = 0.0,
    oil_ratio: float = LIPIODOL_OIL_RATIO,
) -> float:
    """Spheres (or oil droplets) per mL as pushed.

    Y-90: the prepared activity over its volume. Lipiodol: the oil share of an emulsion of
    ``oil_ratio`` parts oil per part drug, in droplets of the nominal size.
    """
    spec = AGENTS[agent]
    if spec.activity_per_sphere_bq > 0:
        return n_spheres(agent, activity_gbq) / Y90_PREP_VOLUME_ML[agent]
    d_m = mean_diameter_um(agent, size_um) * 1e-6
    fraction = oil_fraction(oil_ratio) if agent == "lipiodol" else spec.sphere_volume_fraction
    return fraction * 1e-6 / float(sphere_volume_m3(d_m))


def oil_fraction(oil_ratio: float) -> float:
    """Oil share of a drug:lipiodol emulsion of 1 : ``oil_ratio`` by volume."""
    return oil_ratio / (1.0 + oil_ratio)
