"""The named hepatic arterial trunk and its Michels variants.

Calibres and lengths come from ``reference.md`` §1.1 (cited beside each); branches with no
sourced calibre (sectoral and segmental arteries) are *derived*: their calibre follows Murray's
law from the flow they carry, set once the beds are known. Positions are mm on the AP image
(see :mod:`sim.anatomy.silhouette`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim import physiology as phys
from sim.anatomy.graph import Bed, GraphBuilder
from sim.anatomy.silhouette import Territories
from sim.scenario.models import TRUNK_VESSELS, Anatomy

# Default lumen diameters, mm.
DIAMETER_MM = {
    "coeliac": 7.2,  # Bilir 2021 (R)
    "splenic": 6.1,  # Malnar 2010 (R)
    "LGA": 3.8,  # left gastric, Malnar 2010 (R)
    "CHA": 4.8,  # Bilir 2021 sets 4.3 / 5.07, cast 5.2 ± 1.2 (R); 4.8 (D, see DERIVED note)
    "GDA": 3.5,  # cast 4.1 ± 0.8 (R); the built GDA derives from the CHA by flow (below)
    "PHA": 3.6,  # Bilir 2021 sets 2.93 / 3.83 (R); 3.6 so RHA, LHA derive to Bilir's means (D)
    "RHA": 2.9,  # Bilir 2021 (R); from the PHA derived by flow, replaced from the SMA 2.9
    "LHA": 2.3,  # Bilir 2021 (R); from the PHA derived by flow, replaced from the LGA 2.3
    "RGA": 1.5,  # right gastric ~1–2 (U/M)
    "cystic": 1.5,  # 1–2 (U/M)
    "falciform": 0.8,  # < 1 (U/M)
    "SMA": 7.0,  # U: typical adult SMA calibre (not in reference)
    "IPA": 2.0,  # inferior phrenic ~2 (U/M)
}
if tuple(DIAMETER_MM) != TRUNK_VESSELS:  # the names authors may override live in the scenario
    raise ImportError("DIAMETER_MM must name the vessels of sim.scenario.models.TRUNK_VESSELS")
# Lengths, mm (physical; drawn lengths are shorter in projection).
LENGTH_MM = {
    "coeliac": 19.0,  # Malnar 2010 (R)
    "PHA": 18.8,  # resin-cast study (R)
    "CHA": 30.0,  # U
    "GDA": 45.0,  # U
    "splenic": 90.0,  # U
    "LGA": 50.0,  # U
    "SMA": 60.0,  # U
}

# Vessels named on drawings (preview, teaching overlay), trunk first.
LABELLED_VESSELS = (
    "coeliac",
    "splenic",
    "LGA",
    "CHA",
    "GDA",
    "PHA",
    "RHA",
    "LHA",
    "RGA",
    "cystic",
    "falciform",
    "SMA",
    "RA",
    "RP",
    "aLHA",
    "aRHA",
    "IPA",
    "S1",
    "S1L",
    "S2",
    "S3",
    "S4",
    "S5",
    "S6",
    "S7",
    "S8",
)

AORTA_POS = (172.0, 152.0)
SMA_ORIGIN = (172.0, 168.0)


@dataclass
class Trunk:
    """The built trunk: where each segmental artery starts and which vessels have a name."""

    builder: GraphBuilder
    root: int
    segment_roots: dict[str, int] = field(default_factory=dict)
    hepatic_entry: list[int] = field(default_factory=list)


# DERIVED note. The GDA (from the CHA) and the RHA and LHA (from the PHA) take their calibre
# from their flow share by Murray's law with the large-artery exponent (sim.anatomy.calibre),
# not from cohort means, which do not come from the same livers (morphometry.yaml): the PHA's
# split into Bilir's means implied an exponent of 1.85, and the GDA was as wide as the PHA that
# carries more flow. CHA 4.8 and PHA 3.6 sit between Bilir's two sets so that the derived
# calibres land on the sourced means: default case GDA 3.3 mm (cast 4.1 ± 0.8 over-reads the
# in-vivo lumen, reference §1.1), RHA 3.1 (Bilir 2.9), LHA 2.2 (2.1–2.5); the CHA and PHA
# bifurcations then imply n ≈ 2.1 and 2.33 (morphometry.yaml: 2–2.8).


def _given(anat: Anatomy, name: str) -> float | None:
    """An author's calibre for ``name``, or None: derived from its flow."""
    o = anat.vessels.get(name)
    return o.diameter_mm if o and o.diameter_mm else None


def _d(anat: Anatomy, name: str) -> float:
    o = anat.vessels.get(name)
    return o.diameter_mm if o and o.diameter_mm else DIAMETER_MM[name]


def _len(anat: Anatomy, name: str, default: float | None = None) -> float | None:
    o = anat.vessels.get(name)
    if o and o.length_mm:
        return o.length_mm
    return LENGTH_MM.get(name, default)


def build_trunk(anat: Anatomy, terr: Territories, weight_kg: float) -> Trunk:
    """Build the named trunk for the scenario's Michels type.

    Michels (1966): I standard; II replaced LHA from the left gastric; III replaced RHA from
    the SMA; IV both; V accessory LHA from the left gastric (feeds S2); VI accessory RHA from the
    SMA (feeds the posterior sector S6/S7).
    """
    b = GraphBuilder()
    root = b.node(AORTA_POS, kind="root")
    t = Trunk(builder=b, root=root)
    m = anat.michels
    v = lambda *a, **k: b.vessel(*a, **k)  # noqa: E731

    cel = v(root, (170.0, 140.0), "coeliac", _d(anat, "coeliac"), _len(anat, "coeliac"))
    spl = v(cel, (215.0, 146.0), "splenic", _d(anat, "splenic"), _len(anat, "splenic"))
    b.bed(spl, (262.0, 150.0), _extra("spleen", "splenic", "splenic"))
    lga_mid = v(cel, (184.0, 118.0), "LGA", _d(anat, "LGA"), _len(anat, "LGA"))
    b.bed(lga_mid, (205.0, 106.0), _extra("stomach", "left_gastric", "left_gastric"))
    cha = v(cel, (143.0, 148.0), "CHA", _d(anat, "CHA"), _len(anat, "CHA"))
    gda = v(cha, (139.0, 196.0), "GDA", _given(anat, "GDA"), _len(anat, "GDA"))
    gda_flow = phys.GDA_ML_MIN_PER_KG * weight_kg
    b.bed(
        gda,
        (136.0, 206.0),
        Bed(
            "duodenum_pancreas",
            "gastroduodenal",
            150.0,
            gda_flow,
            phys.SYSTEMIC_VENOUS_PRESSURE_MMHG,
        ),
    )
    sma = None
    if m in ("III", "IV", "VI"):
        sma = v(root, (170.0, 182.0), "SMA", _d(anat, "SMA"), _len(anat, "SMA"))
        b.bed(sma, (166.0, 240.0), _extra("bowel", "superior_mesenteric", "sma"))

    pha_len = _len(anat, "PHA")
    pha_mid = v(cha, (140.0, 139.0), "PHA", _d(anat, "PHA"), pha_len * 0.5)
    pha_bif = v(pha_mid, (137.0, 129.0), "PHA", _d(anat, "PHA"), pha_len * 0.5)
    t.hepatic_entry.append(pha_bif)
    rha_c = _right_hepatic(t, anat, pha_bif, sma)
    lha_s4 = _left_hepatic(t, anat, pha_bif, lga_mid, rha_c)
    _right_gastric(t, anat, cha, gda, pha_mid, lha_s4)
    return t


def _right_hepatic(t: Trunk, anat: Anatomy, pha_bif: int, sma: int | None) -> int:
    """The right hepatic artery, its cystic branch and the right sectors' roots; returns the
    RHA node that the caudate (and S4, when it arises on the right) branch from.

    From the PHA, or replaced from the SMA (Michels III, IV); Michels VI adds an accessory RHA
    from the SMA for the posterior sector.
    """
    b, m = t.builder, anat.michels
    v = b.vessel
    if m in ("III", "IV"):
        rha0 = v(sma, (150.0, 160.0), "RHA", _d(anat, "RHA"), 40.0)
        rha_c = v(rha0, (122.0, 126.0), "RHA", _d(anat, "RHA"), 25.0)
    else:
        rha_c = v(pha_bif, (123.0, 125.0), "RHA", _given(anat, "RHA"), 15.0)
    rha_d = _d(anat, "RHA") if m in ("III", "IV") else _given(anat, "RHA")
    rha_bif = v(rha_c, (106.0, 119.0), "RHA", rha_d, 15.0)
    cys = v(rha_c, (108.0, 138.0), "cystic", _d(anat, "cystic"), 25.0)
    b.bed(cys, (102.0, 146.0), _extra("gallbladder", "cystic", "cystic"))
    ra = v(rha_bif, (100.0, 102.0), "RA", segment=None, derived=True)
    if m == "VI":
        arha = v(sma, (120.0, 150.0), "aRHA", 2.0, 45.0)  # accessory RHA ~2 mm (U)
        rp = v(arha, (76.0, 114.0), "RP", derived=True)
    else:
        rp = v(rha_bif, (76.0, 114.0), "RP", derived=True)
    t.segment_roots["S5"] = ra
    t.segment_roots["S8"] = ra
    t.segment_roots["S6"] = rp
    t.segment_roots["S7"] = rp
    t.segment_roots["S1"] = rha_c
    return rha_c


def _left_hepatic(t: Trunk, anat: Anatomy, pha_bif: int, lga_mid: int, rha_c: int) -> int:
    """The left hepatic artery and the left segments' roots; returns the LHA node S4 and the
    left caudate branch arise from.

    From the PHA, or replaced from the left gastric (Michels II, IV); Michels V adds an
    accessory LHA from the left gastric for S2.
    """
    b, m = t.builder, anat.michels
    v = b.vessel
    if m in ("II", "IV"):
        lha0 = v(lga_mid, (168.0, 104.0), "LHA", _d(anat, "LHA"), 30.0)
        lha_s4 = lha0
    else:
        lha_s4 = v(pha_bif, (150.0, 114.0), "LHA", _given(anat, "LHA"), 20.0)
    lha_d = _d(anat, "LHA") if m in ("II", "IV") else _given(anat, "LHA")
    lha_bif = v(lha_s4, (172.0, 94.0), "LHA", lha_d, 25.0)
    t.segment_roots["S3"] = lha_bif
    if m == "V":
        alha = v(lga_mid, (190.0, 80.0), "aLHA", 1.8, 40.0)  # accessory LHA ~1.8 mm (U)
        t.segment_roots["S2"] = alha
    else:
        t.segment_roots["S2"] = lha_bif
    t.segment_roots["S1L"] = lha_s4
    s4_parent = lha_s4 if anat.segment4_origin == "LHA" else rha_c
    t.segment_roots["S4"] = s4_parent
    return lha_s4


def _right_gastric(t: Trunk, anat: Anatomy, cha: int, gda: int, pha_mid: int, lha_s4: int) -> None:
    """The right gastric artery and its gastric bed.

    Its origin varies: PHA 31 %, LHA 22 %, GDA 25 % (Chang, R).
    """
    b = t.builder
    v = b.vessel
    rga_parent = {"PHA": pha_mid, "LHA": lha_s4, "GDA": gda}[anat.right_gastric_origin]
    if anat.right_gastric_origin == "GDA":
        rga_parent = b.vessel(cha, (141.0, 158.0), "GDA", _given(anat, "GDA"), 10.0)
        _reparent_gda(b, cha, rga_parent, gda)
    rga = v(rga_parent, (165.0, 128.0), "RGA", _d(anat, "RGA"), 40.0)
    b.bed(rga, (178.0, 122.0), _extra("stomach", "right_gastric", "right_gastric"))


def attach_falciform(b: GraphBuilder, s4_root: int, anat: Anatomy) -> None:
    """The hepatic falciform artery runs from the segment-4 artery to the umbilicus (skin)."""
    fal = b.vessel(s4_root, (176.0, 150.0), "falciform", _d(anat, "falciform"), 60.0)
    b.bed(fal, (180.0, 172.0), _extra("skin", "falciform", "falciform"))


def _extra(kind: str, territory: str, flow_key: str) -> Bed:
    mass = {
        "spleen": 150.0,
        "stomach": 150.0,
        "gallbladder": 30.0,
        "skin": 20.0,
        "bowel": 1000.0,
        "diaphragm": 100.0,
    }[kind]  # U: only reported, not dosimetric
    return Bed(
        kind,
        territory,
        mass,
        phys.TERRITORY_FLOW_ML_MIN[flow_key],
        phys.SYSTEMIC_VENOUS_PRESSURE_MMHG,
    )


def _reparent_gda(b: GraphBuilder, cha: int, new_mid: int, gda_end: int) -> None:
    """Insert a GDA origin segment so the RGA can branch from the GDA."""
    g = b.g
    data = g.edges[cha, gda_end]
    g.remove_edge(cha, gda_end)
    g.add_edge(new_mid, gda_end, **data)
