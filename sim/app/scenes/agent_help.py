"""What each agent and particle size is, and when to choose it: the panel's names and the
help a trainee opens with one key (G).

The menus show :data:`AGENT_LABELS` (short enough for the panel at 1280×720) instead of the
catalogue's ids; :func:`agent_help_lines` words the catalogue (:data:`sim.agents.AGENTS`) and
the reference sheet's guidance with its source beside each line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.agents import AGENTS


@dataclass(frozen=True)
class AgentHelp:
    """The panel's name of an agent, what it is, when to choose it and where that comes from."""

    label: str
    what: str
    when: str
    source: str


AGENT_HELP: dict[str, AgentHelp] = {
    "bland": AgentHelp(
        "Bland spheres",
        "calibrated tris-acryl gelatin microspheres (Embosphere); mixed with contrast",
        "bland TAE of hypervascular NET metastases; smaller spheres lodge deeper and give more"
        " necrosis (initial response 64 % with < 100 µm vs 42 % with ≥ 100 µm, same survival)",
        "Laurent JVIR 2004 (PubMed 15126660); PubMed 30627774 (reference §3.1)",
    ),
    "pva": AgentHelp(
        "PVA particles",
        "irregular polyvinyl alcohol particles: occlude more proximally than spheres of the same"
        " nominal size and clump (about 1.3× effective size here)",
        "a cheaper proximal occlusion; expect clumping and less distal penetration",
        "Birney & Siskin, citing Derdeyn (reference §3.1)",
    ),
    "deb": AgentHelp(
        "Drug-eluting beads",
        "DC Bead loaded with doxorubicin 25–37.5 mg/mL; beads shrink up to 20 % on loading",
        "DEB-TACE of NET, 50–100 mg doxorubicin; avoid where bile ducts are at risk (biliary"
        " injury and biloma after DEB in NET)",
        "DC Bead IFU; PMC6315076 Table 4; Gaur CVIR 2011 (reference §3.2, §5.2)",
    ),
    "lipiodol": AgentHelp(
        "Lipiodol emulsion (cTACE)",
        "doxorubicin in lipiodol, drug : oil 1 : 2 (70 % water-in-oil); oil reaches portal"
        " venules through the peribiliary plexus",
        "conventional TACE; at most 15 mL lipiodol a session; follow it with a particle embolic",
        "Lipiodol SmPC; JVIR 2017 PMID 28501268 (reference §3.3)",
    ),
    "y90_resin": AgentHelp(
        "Y-90 resin spheres",
        "SIR-Spheres, 20–60 µm, about 50 Bq each: many spheres, a moderate embolic effect",
        "radioembolization after a mapping study; activity by BSA or partition; stasis can stop"
        " the infusion early",
        "WJH 2015 Table 1; PMC6095426; sirtex.com (reference §3.4)",
    ),
    "y90_glass": AgentHelp(
        "Y-90 glass spheres",
        "TheraSphere, 20–30 µm, about 2500 Bq each: few spheres, a mild embolic effect;"
        " infused without contrast (invisible)",
        "radiation segmentectomy or lobar TARE where stasis must be avoided",
        "TheraSphere insert; PMC6095426 (reference §3.4)",
    ),
    "lu177_dotatate": AgentHelp(
        "Lu-177 DOTATATE",
        "a somatostatin-analogue peptide labelled with Lu-177 (Lutathera, 7.4 GBq per cycle):"
        " not embolic, taken up where Ga-68 DOTATATE shows receptors; kidneys and marrow limit it"
        " (23 Gy and 2 Gy over the course). Second menu: IA from the tip or IV into a vein",
        "PRRT of receptor-positive NET; intra-arterial from the artery feeding the tumours adds"
        " one first pass: tumour uptake about 1.17× intravenous (LUTIA, 95 % CI 1.00–1.37)",
        "Lutathera SmPC; Ebbers EJNMMI 2024 (LUTIA, reference §3.5, §9)",
    ),
    "maa": AgentHelp(
        "Tc-99m MAA (mapping)",
        "macroaggregated albumin, 10–90 µm, about 150 MBq: lodges like Y-90 spheres but occludes"
        " nothing; press N to see the scan (lung shunt, T/N, extrahepatic uptake)",
        "the mapping before radioembolization, from the tip you would treat from; GDA or gastric"
        " uptake means coil or go distal",
        "Pulmotech MAA label; reference §2.4, §9; docs/physics.md §8.2",
    ),
}

SIZE_HELP = (
    "Sizes: the product's nominal diameter range. Smaller particles lodge deeper in the tumour"
    " bed; the smallest also pass tumour shunts to the lungs (reference §3.1, §3.6)."
)


def agent_label(agent: str) -> str:
    """The panel's readable name of ``agent`` (the catalogue's name for an unknown id)."""
    h = AGENT_HELP.get(agent)
    return h.label if h else AGENTS[agent].name


def agent_help_lines(agents: list[str]) -> list[tuple[str, str]]:
    """(heading, text) rows for the help box: each agent on the shelf, then the sizes."""
    rows: list[tuple[str, str]] = []
    for a in agents:
        h = AGENT_HELP.get(a)
        if h is None:
            continue
        rows.append((h.label, AGENTS[a].name))
        rows.append(("  what", h.what))
        rows.append(("  when", h.when))
        rows.append(("  source", h.source))
    rows.append(("Sizes", SIZE_HELP))
    return rows
