"""C-arm angulation and the siphon overlay: meanings on the composed screen and the view."""

import os

import numpy as np
import pygame
import pytest
from helpers import SCENARIOS, frames, open_app

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from sim.actions import Navigate, SelectAgent, SetInjection, StartContrast  # noqa: E402
from sim.anatomy.depth import ORGAN_DEPTH_MM, SEGMENT_DEPTH_MM, VESSEL_DEPTH_MM  # noqa: E402
from sim.app.scenes.procedure import ProcedureScene  # noqa: E402
from sim.engine.procedure import Procedure  # noqa: E402
from sim.render.fluoro import FluoroView  # noqa: E402
from sim.render.projection import AP, CArm, project, projection_note, unproject  # noqa: E402
from sim.scenario.load import LoadedCase, load_scenario  # noqa: E402
from sim.scenario.models import KeyProjection  # noqa: E402


@pytest.fixture
def app(tmp_path):
    yield open_app(tmp_path, (1280, 800))
    pygame.display.quit()


def key(k):
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))


def open_default(app, **update) -> ProcedureScene:
    path = SCENARIOS / "default.yaml"
    sc, _ = load_scenario(path)
    app.switch(ProcedureScene(app, LoadedCase(path, sc.model_copy(update=update), [])))
    frames(app, 2)
    return app.scene


def screen_grey(app) -> np.ndarray:
    """(W, H) brightness of the composed window."""
    return pygame.surfarray.array3d(app.screen).astype(float).mean(axis=2)


def middle_px(scene, name: str) -> list[tuple[int, int]]:
    """Window pixels along the middle edge of a named vessel, in the current projection."""
    edges = [e for e in scene.proc.c.vessel_edges(name) if not scene.proc.c.is_bed[e]]
    ox, oy = scene.view.rect.topleft
    return [(x + ox, y + oy) for x, y in scene.view.fluoro.edge_px(edges[len(edges) // 2])]


def test_projection_conventions():
    """LAO sends posterior structures to the viewer's right, cranial sends anterior ones down;
    AP is the identity and unproject inverts project at a known depth."""
    xy = np.array([[100.0, 100.0], [100.0, 100.0]])
    z = np.array([-40.0, 40.0])  # posterior, anterior
    lao = project(CArm(30, 0), xy, z)
    rao = project(CArm(-30, 0), xy, z)
    assert lao[0, 0] > lao[1, 0] and rao[0, 0] < rao[1, 0]
    cran = project(CArm(0, 20), xy, z)
    assert cran[1, 1] > cran[0, 1]
    assert np.array_equal(project(AP, xy, z), xy)
    arm = CArm(-35, 25)
    assert np.allclose(unproject(arm, project(arm, xy, z), z), xy)
    assert CArm(60, -40).clamped() == CArm(45, -30)
    assert CArm(-20, -15).label == "RAO 20 CAUD 15"


def test_depths_follow_the_anatomy():
    """Documented relations: posterior sector behind anterior, left lobe in front of the
    caudate, GDA in front of the pancreas head, right gastric and cystic in front of the CHA."""
    s, v, o = SEGMENT_DEPTH_MM, VESSEL_DEPTH_MM, ORGAN_DEPTH_MM
    assert max(s["S6"], s["S7"]) < min(s["S5"], s["S8"])
    assert min(s["S2"], s["S3"], s["S4"]) > s["S1"]
    assert v["GDA"] > o["duodenum_pancreas"]
    assert v["RGA"] > v["CHA"] and v["cystic"] > v["RHA"]
    assert v["RP"] < v["RA"]


def test_posterior_branch_moves_against_anterior_on_screen(app):
    """A common hepatic run seen in RAO 20 and LAO 20 on the composed screen: the posterior
    sectoral artery (RP) is drawn dark where the projection puts it, and going from RAO to LAO
    it moves to the right of the anterior one (RA) by tens of pixels."""
    scene = open_default(app)
    scene.view.mode = "dsa"
    scene.proc.apply(StartContrast(volume_ml=4.0, rate_ml_s=2.0))
    frames(app, 90)  # 1.5 s: arterial phase
    scene.session.paused = True
    gap = {}
    for k in (pygame.K_2, pygame.K_3):  # RAO 20, LAO 20
        key(k)
        frames(app, 2)
        img = screen_grey(app)
        bg = float(np.median(img[scene.view.rect.centerx - 60 : scene.view.rect.centerx, 700:760]))
        xs = {}
        for name in ("RP", "RA"):
            pts = np.array(middle_px(scene, name))
            assert img[pts[:, 0], pts[:, 1]].mean() < bg - 40.0, (name, scene.view.arm.label)
            xs[name] = pts[:, 0].mean()
        gap[scene.view.arm.label] = xs["RP"] - xs["RA"]
    assert set(gap) == {"RAO 20", "LAO 20"}
    assert gap["LAO 20"] - gap["RAO 20"] > 30.0, gap


def test_click_selects_a_vessel_in_an_oblique_view_and_key_5_is_the_cases_view(app):
    """In LAO 20 a click on the S3 artery where the oblique view draws it (far from where AP would)
    takes the catheter there; the case's own view is key 5 and the debrief names it."""
    kp = KeyProjection(lao_deg=-25.0, cran_deg=-10.0, opens="the GDA and RHA origins")
    scene = open_default(app, key_projection=kp)
    key(pygame.K_3)
    frames(app, 2)
    assert scene.view.arm == CArm(20.0, 0.0)
    assert "LAO 20" in scene.panel.carm_btn.text
    c = scene.proc.c
    e = [e for e in c.vessel_edges("S3") if not c.is_bed[e]][-1]
    pts = scene.view.fluoro.edge_px(e)
    at = pts[len(pts) // 2]
    ap_at = scene.view.fluoro.to_screen(c.points[e][len(pts) // 2])
    assert abs(at[0] - ap_at[0]) > 25  # the oblique view moved it: AP picking would miss
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=at, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=at, button=1))
    frames(app, 2)
    assert scene.proc.breadcrumb()[-1] == "S3"
    key(pygame.K_5)
    frames(app, 1)
    assert scene.view.arm == CArm(-25.0, -10.0)
    scene.proc.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))
    frames(app, 2)
    note = " ".join(scene.view.projection_note())
    assert "RAO 25 CAUD 10" in note and "opened the GDA and RHA origins" in note
    scene.controls.command("carm_next")  # the panel's button: after the case's view, AP
    assert scene.view.arm == AP and "AP" in scene.panel.carm_btn.text
    for _ in range(12):  # J twelve times: RAO 45 at most
        key(pygame.K_j)
    frames(app, 1)
    assert scene.view.arm == CArm(-45.0, 0.0) and scene.view.fluoro.arm == scene.view.arm


def test_projection_note_says_what_the_runs_missed():
    assert projection_note([], None) == []
    only_ap = " ".join(projection_note([AP, AP], None))
    assert "AP ×2" in only_ap and "oblique" in only_ap
    missed = " ".join(projection_note([AP, CArm(20, 0)], CArm(-20, 0), "the cystic origin"))
    assert "No run near RAO 20" in missed and "the cystic origin" in missed


def marked(img: np.ndarray) -> np.ndarray:
    """Pixels in the bland agent's orange (not the grey image, the blue flow tint or the
    yellow labels)."""
    r, g, b = (img[..., k].astype(float) for k in range(3))
    return (r > 80) & (b < 0.3 * r) & (g < 0.85 * r)


def test_deposits_fill_the_tumour_faster_than_the_liver_around_it():
    """Bland particles from the tumour's feeder: the overlay's marks inside the tumour outline
    are several times denser than in the liver around it, and they grow with the injection."""
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    p = Procedure(sc)
    p.apply(Navigate(target="feeder:T1"))
    v = FluoroView(p, (960, 640))
    v.set_arm(CArm(-20.0, 0.0))  # and in an oblique view: the deposits turn with the tumour
    p.apply(SelectAgent(agent="bland", size_um=(100.0, 300.0)))
    p.apply(SetInjection(rate_ml_min=2.0))
    (cx, cy), r = v.tumor_px(0)
    x, y = np.meshgrid(np.arange(960), np.arange(640), indexing="ij")
    d = np.hypot(x - cx, y - cy)
    g = v.geo
    liver = v.maps.bed_id[
        np.minimum((x * g.fx).astype(int), g.low[0] - 1),
        np.minimum((y * g.fy).astype(int), g.low[1] - 1),
    ]
    inside = d < 0.85 * r
    around = (d > 1.3 * r) & (d < 2.5 * r) & (liver > 0)
    density = []
    for _ in range(2):
        for _ in range(300):  # 15 s of injection, then let the flights settle
            p.step()
        p.apply(SetInjection(rate_ml_min=0.0))
        for _ in range(60):
            p.step()
        m = marked(pygame.surfarray.array3d(v.render(teaching=True)))
        density.append((m[inside].mean(), m[around].mean()))
        p.apply(SetInjection(rate_ml_min=2.0))
    (in1, out1), (in2, out2) = density
    assert in2 > 0.3 and in2 > 3.0 * out2, density
    assert in2 > in1 + 0.05, density


def test_spine_tumour_and_catheter_turn_with_the_c_arm_and_nothing_else_changes():
    """LAO 30 moves the spine (posterior) right of where AP draws it and the right-lobe tumour
    with it less; the catheter tip moves too; turning and drawing leave the simulation as it
    was, and AP again is the AP picture."""
    sc, _ = load_scenario(SCENARIOS / "default.yaml")
    p = Procedure(sc)
    p.apply(Navigate(target="RHA"))
    v = FluoroView(p, (960, 640))
    state = (p.flow.flow.copy(), p.streams.transport.bit_generator.state, p.t)
    ap_img = pygame.surfarray.array3d(v.render(seed_frame=1))

    def spine_x() -> float:
        lw, lh = v.geo.low
        col = v.maps.tissue[:, int(0.75 * lh) :].mean(axis=1)  # below the liver
        return float(np.argmax(col)) / v.geo.fx

    ap = (spine_x(), v.tumor_px(0)[0][0], v.tip_px()[0])
    v.set_arm(CArm(30.0, 0.0))
    v.render(teaching=True)
    lao = (spine_x(), v.tumor_px(0)[0][0], v.tip_px()[0])
    assert lao[0] > ap[0] + 40, (ap, lao)  # spine −95 mm: far right
    assert lao[0] - ap[0] > lao[1] - ap[1], (ap, lao)  # the tumour is less posterior
    assert lao[2] != ap[2]
    assert np.array_equal(p.flow.flow, state[0]) and p.t == state[2]
    assert p.streams.transport.bit_generator.state == state[1]
    v.set_arm(AP)
    assert np.array_equal(pygame.surfarray.array3d(v.render(seed_frame=1)), ap_img)
