"""Nuclear-medicine pictures and measurements of where the particles went (no pygame).

Two studies are drawn by the same code from the simulated deposition:

- the **Tc-99m MAA mapping** (agent ``maa``): planar anterior and posterior views, an axial
  SPECT-like slice, and what nuclear medicine measures from them — the lung shunt fraction from
  the geometric mean of the conjugate views, the tumour-to-normal ratio of each tumour, and the
  extrahepatic uptake by territory (:func:`measure`);
- the **post-treatment Y-90 scan** (bremsstrahlung planar views, a Y-90 PET slice) of the
  activity the treatment delivered: predicted (MAA) beside delivered (Y-90).

Every bed is a source at its outlet point (the 1,200 liver beds of a case fill the Couinaud
territories; tumour beds spread over the tumour's disc), at the depth :mod:`sim.anatomy.depth`
gives it; the lungs are two fields above the diaphragm. A view attenuates each source by its
path to the detector (soft tissue, μ of the photon energy; lung at 0.3 g/cm³), blurs it by a
collimator resolution that worsens with distance, and draws Poisson counts. The geometric mean
√(A·P) of a source does not depend on its depth, only on the body's thickness there, so the
conjugate-view LSF corrected with the thorax and abdomen transmission is the particle share;
the uncorrected ratio overestimates the shunt, as planar MAA does (Allred 2018, R). Values
tagged U are teaching choices (docs/physics.md §8.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.agents import AGENTS
from sim.anatomy.depth import ORGAN_DEPTH_MM, node_depths
from sim.flow.compile import Compiled
from sim.flow.territory import push_down
from sim.labels import label
from sim.transport.flight import AGENT_IDS

BODY_FRONT_MM = ORGAN_DEPTH_MM["skin"]  # anterior skin, mm anterior of the hilum plane
BODY_BACK_MM = -135.0  # posterior skin, 40 mm behind the vertebral bodies (U)
BODY_HALF_WIDTH_MM = 165.0  # the abdomen is about 33 cm wide (U)
CHEST_WALL_MM = 25.0  # soft tissue in front of and behind the lungs (U)
LUNG_DENSITY = 0.3  # inflated lung, g/cm³, relative to soft tissue (ICRP 89, M)
LUNG_DEPTH_MM = -20.0  # the lungs' centre of activity (U)
# The lung fields on the AP picture: (centre x, centre y, half width, half height), mm; the
# right lung on the viewer's left, both ending at the diaphragm above the liver (U).
LUNG_FIELDS_MM = ((68.0, -80.0, 55.0, 105.0), (212.0, -75.0, 50.0, 100.0))
LUNG_POINT_STEP_MM = 9.0
LIVER_SIGMA_MM = 6.0  # a liver bed's activity spread around its outlet point (U)
# … and in depth: a bed's outlet stands for parenchyma through the slab's thickness (the liver is
# 80 mm deep on the silhouette, sim.anatomy.depth; U)
LIVER_SIGMA_Z_MM = 15.0
ORGAN_SIGMA_MM = 10.0  # an extrahepatic bed's (U)
AIR_GAP_MM = 20.0  # skin to collimator face (U)
PIXEL_MM = 3.5  # 128 × 128 matrix over 448 mm, a large-field camera (U)
MATRIX = 128
FOV_CENTER_MM = (137.5, 20.0)  # the field of view's centre on the AP picture (lungs and liver)
PERFUSED_MIN = 0.0  # a liver bed with more than this is perfused normal liver (the T/N reference)


@dataclass(frozen=True)
class Modality:
    """One imaging study: photon attenuation, resolution and how many counts it collects.

    ``mu_per_mm``: linear attenuation in soft tissue; ``fwhm0_mm`` + ``fwhm_per_mm`` × distance:
    the planar collimator resolution; ``tomo_fwhm_mm``: the SPECT/PET slice resolution;
    ``planar_counts_per_mbq``: counts a planar view collects per MBq (sensitivity × time);
    ``slice_counts``: counts in the drawn slice (its noise).
    """

    name: str
    planar: str
    tomo: str
    mu_per_mm: float
    fwhm0_mm: float
    fwhm_per_mm: float
    tomo_fwhm_mm: float
    planar_counts_per_mbq: float
    slice_counts: float


# Tc-99m 140 keV: broad-beam μ ≈ 0.12 /cm in soft tissue (narrow beam 0.15 /cm; scatter in the
# 20 % window lowers it, the value used for conjugate-view counting; M); LEHR collimator
# ≈ 4 mm + 4 % of the distance (M); 80 cps/MBq over a 5-min view (M, U).
MAA = Modality("Tc-99m MAA", "MAA planar", "MAA SPECT", 0.012, 4.0, 0.04, 14.0, 80.0 * 300.0, 2e5)
# Y-90 bremsstrahlung through a medium-energy collimator: broad spectrum, effective μ ≈ 0.1 /cm
# and poor resolution (U, after the bremsstrahlung SPECT literature, M); the PET slice: 511 keV,
# 8 mm, few counts (32 positrons per million decays, M).
Y90 = Modality("Y-90", "Y-90 bremsstrahlung", "Y-90 PET", 0.010, 10.0, 0.08, 8.0, 1.5 * 1200.0, 3e4)


@dataclass(frozen=True)
class Sources:
    """Point-like sources (S): position on the AP picture and depth (mm), spread across and in
    depth (mm), amount (particles or Bq, any unit) and compartment (``lung``, ``hepatic`` or
    the territory)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    sigma: np.ndarray
    sigma_z: np.ndarray
    amount: np.ndarray
    group: np.ndarray

    def paths_mm(self) -> tuple[np.ndarray, np.ndarray]:
        """Soft-tissue-equivalent path (mm) from each source to the anterior and posterior skin."""
        ant, post = BODY_FRONT_MM - self.z, self.z - BODY_BACK_MM
        lung = self.group == "lung"
        w = CHEST_WALL_MM
        ant = np.where(lung, w + (ant - w) * LUNG_DENSITY, ant)
        post = np.where(lung, w + (post - w) * LUNG_DENSITY, post)
        return ant, post


def lung_points() -> tuple[np.ndarray, np.ndarray]:
    """Fixed sample points (x, y mm) filling the two lung fields."""
    xs, ys = [], []
    for cx, cy, ax, ay in LUNG_FIELDS_MM:
        gx, gy = np.meshgrid(
            np.arange(cx - ax, cx + ax + 1, LUNG_POINT_STEP_MM),
            np.arange(cy - ay, cy + ay + 1, LUNG_POINT_STEP_MM),
        )
        inside = ((gx - cx) / ax) ** 2 + ((gy - cy) / ay) ** 2 <= 1.0
        xs.append(gx[inside])
        ys.append(gy[inside])
    return np.concatenate(xs), np.concatenate(ys)


def bed_depths(c: Compiled) -> np.ndarray:
    """Depth (mm) of each bed's outlet point."""
    kinds: list[str | None] = [None] * c.n_edges
    for b, e in enumerate(c.bed_edge):
        kinds[e] = c.beds[b].kind
    z = node_depths(c.node_pos, c.edge_from, c.edge_to, c.names, c.segment, kinds, c.root)
    return z[c.edge_to[c.bed_edge]]


def sources(
    c: Compiled,
    bed_amount: np.ndarray,
    lung_amount: float,
    tumor_radius_mm: dict[str, float],
    bed_z: np.ndarray | None = None,
) -> Sources:
    """The sources of a deposition: ``bed_amount`` (B,) in the beds, ``lung_amount`` shared
    over the lung fields; a tumour bed spreads over half its tumour's radius (``bed_z``: the
    beds' depths when already known)."""
    pos = c.node_pos[c.edge_to[c.bed_edge]]
    sigma = np.array(
        [
            tumor_radius_mm.get(b.tumor or "", 10.0) / 2.0
            if b.kind == "tumor"
            else LIVER_SIGMA_MM
            if b.kind == "liver"
            else ORGAN_SIGMA_MM
            for b in c.beds
        ]
    )
    kind = np.array([b.kind for b in c.beds])
    sigma_z = np.where(kind == "liver", LIVER_SIGMA_Z_MM, sigma)
    hepatic = ("liver", "tumor")
    group = np.array([b.territory if b.kind not in hepatic else "hepatic" for b in c.beds])
    lx, ly = lung_points()
    n = lx.size
    return Sources(
        x=np.concatenate([pos[:, 0], lx]),
        y=np.concatenate([pos[:, 1], ly]),
        z=np.concatenate([bed_depths(c) if bed_z is None else bed_z, np.full(n, LUNG_DEPTH_MM)]),
        sigma=np.concatenate([sigma, np.full(n, LUNG_POINT_STEP_MM / 2.0)]),
        sigma_z=np.concatenate([sigma_z, np.full(n, 40.0)]),
        amount=np.concatenate([np.asarray(bed_amount, float), np.full(n, lung_amount / n)]),
        group=np.concatenate([group, np.full(n, "lung")]),
    )


def conjugate_views(s: Sources, m: Modality) -> tuple[np.ndarray, np.ndarray]:
    """Each source's share seen by the anterior and the posterior detector (attenuated)."""
    ant, post = s.paths_mm()
    return s.amount * np.exp(-m.mu_per_mm * ant), s.amount * np.exp(-m.mu_per_mm * post)


def lung_shunt(s: Sources, m: Modality = MAA) -> tuple[float, float]:
    """(corrected, uncorrected) lung shunt fraction from the conjugate views.

    GM = √(A·P) of the lung and liver ROIs; LSF = GM_lung / (GM_lung + GM_liver). Corrected: each
    GM divided by √(transmission) across the body at its ROI (the conjugate-view method);
    uncorrected: as read off the planar views, which overestimates (lung attenuates less).
    """
    a, p = conjugate_views(s, m)
    ant, post = s.paths_mm()
    out = []
    for corrected in (True, False):
        gm = {}
        for roi in ("lung", "hepatic"):
            sel = s.group == roi
            g = math.sqrt(float(a[sel].sum()) * float(p[sel].sum()))
            if corrected and sel.any():
                thick = float(np.mean(ant[sel] + post[sel]))
                g /= math.exp(-m.mu_per_mm * thick / 2.0)
            gm[roi] = g
        tot = gm["lung"] + gm["hepatic"]
        out.append(gm["lung"] / tot if tot > 0 else 0.0)
    return out[0], out[1]


def _gauss(centers: np.ndarray, sigma: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """(S, K) normalised Gaussian weights of each source over pixel centres ``axis``."""
    d2 = ((axis[None, :] - centers[:, None]) / sigma[:, None]) ** 2
    g = np.where(d2 < 50.0, np.exp(-0.5 * np.minimum(d2, 50.0)), 0.0)  # no subnormal tails
    return g / np.maximum(g.sum(axis=1, keepdims=True), 1e-30)


def _splat(rows: np.ndarray, w: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Σ_s w_s rows_s ⊗ cols_s: the picture (rows × cols) of weighted separable sources (einsum,
    not a threaded BLAS product: the machine's cores belong to the simulation)."""
    return np.einsum("sr,sc->rc", rows * w[:, None], cols)


def axes() -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres (mm) of the planar matrix: x (columns) and y (rows)."""
    k = (np.arange(MATRIX) - MATRIX / 2 + 0.5) * PIXEL_MM
    return FOV_CENTER_MM[0] + k, FOV_CENTER_MM[1] + k


def depth_axis() -> np.ndarray:
    """Pixel centres (mm) of the axial slice's depth axis, anterior first."""
    return np.arange(BODY_FRONT_MM + 10.0, BODY_BACK_MM - 10.0, -PIXEL_MM)


@dataclass(frozen=True)
class Scan:
    """One study's pictures (expected counts with Poisson noise, float arrays).

    ``anterior`` and ``posterior`` (MATRIX × MATRIX, rows caudal, columns to the patient's left
    as seen from the front; the posterior view is mirrored as a camera behind sees it);
    ``axial`` (depth × MATRIX, anterior row first) is the tomographic slice at ``slice_y_mm``.
    """

    modality: Modality
    anterior: np.ndarray
    posterior: np.ndarray
    axial: np.ndarray
    slice_y_mm: float
    total_counts: float
    notes: list[str] = field(default_factory=list)


def scan(
    s: Sources, m: Modality, activity_mbq: float, slice_y_mm: float, rng: np.random.Generator
) -> Scan:
    """The planar views and the axial slice of sources ``s`` for ``activity_mbq`` given."""
    ax, ay = axes()
    tot = float(s.amount.sum())
    share = s.amount / tot if tot > 0 else s.amount * 0.0
    views = []
    for v, path in zip(conjugate_views(s, m), s.paths_mm(), strict=True):
        atten = v / np.where(s.amount > 0, s.amount, 1.0)
        fwhm = m.fwhm0_mm + m.fwhm_per_mm * (path + AIR_GAP_MM)
        sig = np.hypot(s.sigma, fwhm / 2.355)
        w = share * atten * activity_mbq * m.planar_counts_per_mbq
        img = _splat(_gauss(s.y, sig, ay), w, _gauss(s.x, sig, ax))
        views.append(rng.poisson(np.maximum(img, 0.0)).astype(float))
    zs = depth_axis()
    tomo = m.tomo_fwhm_mm / 2.355
    sig = np.hypot(s.sigma, tomo)
    in_slice = np.exp(-0.5 * np.minimum(((s.y - slice_y_mm) / sig) ** 2, 50.0))
    w = share * in_slice
    img = _splat(_gauss(s.z, np.hypot(s.sigma_z, tomo), zs), w, _gauss(s.x, sig, ax))
    if img.sum() > 0:
        img = rng.poisson(img / img.sum() * m.slice_counts).astype(float)
    return Scan(m, views[0], views[1][:, ::-1], img, slice_y_mm, tot)


@dataclass(frozen=True)
class TumorUptake:
    """One tumour's uptake: its counts and mass, and the T/N against perfused normal liver."""

    id: str
    counts: float
    mass_g: float
    tn_ratio: float


@dataclass(frozen=True)
class MaaStudy:
    """What the MAA mapping measured (fractions 0–1)."""

    lung_shunt_fraction: float  # conjugate views, transmission-corrected
    lung_shunt_uncorrected: float  # the planar ratio as read, without correction
    tumors: tuple[TumorUptake, ...]
    extrahepatic: dict[str, float]  # share of the particles given, by territory
    normal_concentration: float  # counts per g of perfused normal liver

    def tn_for(self, tumor_ids: tuple[str, ...]) -> float | None:
        """The T/N of these tumours taken together (counts per g over normal), None if none
        of them took up MAA."""
        up = [t for t in self.tumors if t.id in tumor_ids and t.counts > 0]
        mass = sum(t.mass_g for t in up)
        if not up or mass <= 0 or self.normal_concentration <= 0:
            return None
        return sum(t.counts for t in up) / mass / self.normal_concentration

    def lines(self) -> list[str]:
        """What the study measured, in words (the picture's notes, ``run``, the report)."""
        tn = ", ".join(f"{t.id} {t.tn_ratio:.1f}" for t in self.tumors)
        extra = ", ".join(f"{label(k)} {100 * v:.1f} %" for k, v in self.extrahepatic.items())
        return [
            f"Lung shunt {100 * self.lung_shunt_fraction:.1f} % (conjugate views, transmission-"
            f"corrected; {100 * self.lung_shunt_uncorrected:.1f} % uncorrected)",
            f"Tumour-to-normal (SPECT): {tn or 'no tumour'}",
            f"Extrahepatic uptake: {extra or 'none'}",
        ]

    def to_dict(self) -> dict:
        """The ``maa`` object of ``run --json``."""
        return {
            "lung_shunt_fraction": round(self.lung_shunt_fraction, 4),
            "lung_shunt_fraction_uncorrected": round(self.lung_shunt_uncorrected, 4),
            "tumors": [{"id": t.id, "tn_ratio": round(t.tn_ratio, 3)} for t in self.tumors],
            "extrahepatic": {k: round(v, 5) for k, v in self.extrahepatic.items()},
        }


def measure(
    c: Compiled,
    bed_amount: np.ndarray,
    lung_amount: float,
    systemic: float = 0.0,
    bed_z: np.ndarray | None = None,
) -> MaaStudy:
    """The MAA study of particles ``bed_amount`` (B,) in the beds and ``lung_amount`` in the
    lungs (``systemic``: refluxed into the aorta, counted in the total only)."""
    s = sources(c, bed_amount, lung_amount, {}, bed_z)
    lsf, raw = lung_shunt(s)
    mass = c.bed_mass_g
    kinds = [b.kind for b in c.beds]
    liver = np.array([k == "liver" for k in kinds]) & (bed_amount > PERFUSED_MIN)
    normal = float(bed_amount[liver].sum() / mass[liver].sum()) if liver.any() else 0.0
    tumors = []
    for ti, tid in enumerate(c.tumor_ids):
        sel = c.bed_tumor == ti
        cnt, m_g = float(bed_amount[sel].sum()), float(mass[sel].sum())
        tn = cnt / m_g / normal if normal > 0 and m_g > 0 else 0.0
        tumors.append(TumorUptake(tid, cnt, m_g, tn))
    total = float(bed_amount.sum()) + lung_amount + systemic
    extra: dict[str, float] = {}
    for b, k in enumerate(kinds):
        if k not in ("liver", "tumor") and bed_amount[b] > 0:
            t = c.beds[b].territory
            extra[t] = extra.get(t, 0.0) + float(bed_amount[b]) / total
    return MaaStudy(lsf, raw, tuple(tumors), dict(sorted(extra.items())), normal)


def agent_deposit(c: Compiled, tallies, flow0: np.ndarray, agent: str):
    """Particles of ``agent`` per bed (vessel deposits pushed down by baseline flow), in the
    lungs and refluxed into the aorta: ``(bed (B,), lung, systemic)``."""
    i = AGENT_IDS.index(agent)
    bed = push_down(c, tallies.dep_agent_count[i], flow0)
    return bed, float(tallies.lung_count[i]), float(tallies.out_count[i])


def activity_deposit(c: Compiled, tallies, flow0: np.ndarray) -> tuple[np.ndarray, float]:
    """Y-90 activity (Bq) per bed and in the lungs."""
    return push_down(c, tallies.dep_activity, flow0), float(tallies.lung_activity.sum())


def maa_study(c: Compiled, tallies, flow0: np.ndarray, delivered: np.ndarray) -> MaaStudy | None:
    """The MAA study of a final state, None when no MAA was given."""
    if delivered[AGENT_IDS.index("maa")] <= 0:
        return None
    bed, lung, systemic = agent_deposit(c, tallies, flow0, "maa")
    return measure(c, bed, lung, systemic)


def without_diagnostic(tallies, delivered: np.ndarray, in_flight: np.ndarray):
    """Tallies and per-agent counts with the mapping agents left out (the treatment's outcome
    ignores them); the inputs unchanged when none was given."""
    diag = np.array([AGENTS[a].diagnostic for a in AGENT_IDS])
    if not (delivered[diag] > 0).any():
        return tallies, delivered, in_flight
    t = tallies.copy()
    t.dep_count = np.maximum(t.dep_count - t.dep_agent_count[diag].sum(axis=0), 0.0)
    for name in ("dep_agent_count", "site_diam_sum", "site_weight", "lung_count", "out_count"):
        getattr(t, name)[diag] = 0.0
    return t, np.where(diag, 0.0, delivered), np.where(diag, 0.0, in_flight)
