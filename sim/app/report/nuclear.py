"""The report's nuclear-medicine section: the MAA mapping (predicted) beside the post-treatment
Y-90 scan (delivered), one picture drawn by :func:`sim.render.scintigraphy.draw_studies` — the
function the window's N view and the debrief use — with what each study measured, in words."""

from __future__ import annotations

from html import escape as e

from sim.app.report.images import data_uri, png_bytes
from sim.app.report.sections import section
from sim.engine.scans import studies
from sim.render.scintigraphy import draw_studies

NUCLEAR_SIZE = (960, 820)  # px: two study rows of three panels


def nuclear_section(proc, size: tuple[int, int] = NUCLEAR_SIZE) -> str:
    """The section, or ``""`` when the case had neither MAA nor Y-90."""
    st = studies(proc)
    if st.maa is None and st.y90 is None:
        return ""
    img = draw_studies(st, size)
    notes = []
    for label, scan in (("MAA mapping (predicted)", st.maa), ("Y-90 (delivered)", st.y90)):
        if scan is not None:
            items = "".join(f"<li>{e(n)}</li>" for n in scan.notes)
            notes.append(f"<p><b>{e(label)}</b></p><ul>{items}</ul>")
    body = (
        f'<figure><img src="{data_uri(png_bytes(img))}" alt="MAA and Y-90 scans" '
        f'width="{size[0]}" height="{size[1]}"><figcaption>Planar anterior and posterior views '
        "and an axial SPECT/PET slice through the tumour with the most uptake, drawn from the "
        "simulated deposition: predicted (Tc-99m MAA) above delivered (Y-90).</figcaption>"
        "</figure>" + "".join(notes)
    )
    return section("nuclear", "Nuclear medicine: predicted and delivered", body)
