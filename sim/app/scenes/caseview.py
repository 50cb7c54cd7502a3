"""The picture of a case in the window: the fluoroscopy viewport with its overlay and boxes.

:class:`CaseView` owns the :class:`~sim.render.fluoro.FluoroView`, the viewport rectangle and
the viewer's choices (fluoro or DSA, roadmap, teaching overlay, help, the agents' help, the
C-arm angulation).
Drawing reads the session and never changes the simulation. In exam mode (``exam``) the view
shows what a real room shows: the teaching overlay cannot be turned on.
"""

from __future__ import annotations

from sim.app.scenes.agent_help import agent_help_lines
from sim.app.session import ProcedureSession
from sim.engine.scans import studies
from sim.render.canvas import Rect, line, veil
from sim.render.fluoro import FluoroView, run_peak
from sim.render.projection import AP, PRESETS, STEP_DEG, CArm, projection_note
from sim.render.scintigraphy import draw_studies
from sim.render.text import draw_lines, font, wrap
from sim.transport.contrast import DSA_FPS

SCAN_EVERY_TICKS = 40  # the nuclear-medicine view follows the deposition every 2 s (speed, U)
NEXT_BRANCH_COLOR = (90, 220, 255)  # the branch Up takes: cyan, unlike any tissue or flag

HELP = [
    ("Click a vessel", "move the catheter there"),
    ("Up / Down", "advance along the artery / pull back one segment"),
    ("Left / Right", "choose the branch Up takes (highlighted)"),
    ("A   Z", "next agent / next particle size"),
    ("[   ]", "injection rate down / up"),
    (",  .     ;  '", "agent settings (activity, loading, emulsion)"),
    ("Space (hold), Inject", "inject the prepared agent"),
    ("C", "contrast run (volume and rate: panel)"),
    ("D   R   T", "DSA / roadmap / teaching overlay"),
    ("1 2 3 4   (5)", "C-arm AP / RAO 20 / LAO 20 / CAUD 15 (/ the case's view)"),
    ("J L   I K", "C-arm RAO / LAO, cranial / caudal by 5 degrees"),
    ("O", "roadmap opacity 25 / 50 / 75 / 100 %"),
    ("V", "cine loop of the last run, open / close"),
    ("N", "nuclear medicine: MAA mapping and Y-90 scans, open / close"),
    ("  Left / Right   Enter", "  in the cine: step a frame / play, pause"),
    ("P   S", "pause / time scale 1x 2x 4x"),
    ("F", "finish the case (debrief)"),
    ("X", "coils at the tip: the vessel is closed for good"),
    ("Decline menu", "end the case without treatment, with the reason"),
    ("G", "agents and sizes: what, when, source"),
    ("F11   H   Esc", "fullscreen / this help / leave"),
]


class CaseView:
    """The viewport of ``session`` in ``app``'s window (laid out by :meth:`layout`)."""

    def __init__(self, app, session: ProcedureSession) -> None:
        self.app = app
        self.session = session
        self.fluoro = None  # the FluoroView, made at the first layout
        self.rect = Rect(0, 0, 0, 0)
        self.mode = "fluoro"
        self.roadmap = False
        self.teaching = False
        self.show_help = False
        self.show_agents = False
        self.show_scan = False  # the nuclear-medicine studies instead of the angiogram
        self._scan: tuple | None = None  # (key, picture) drawn last
        self.exam = False  # exam mode: no teaching overlay (what a real room shows)
        self.frame_i = 0
        self.arm: CArm = AP
        self.run_arms: list[CArm] = []  # the angulation of each contrast run, in order
        kp = session.case.scenario.key_projection
        self.case_arm = CArm(kp.lao_deg, kp.cran_deg).clamped() if kp is not None else None

    def layout(self, rect: Rect) -> None:
        """Place the viewport (the renderer is built once, then resized)."""
        self.rect = rect
        if self.fluoro is None:
            self.fluoro = FluoroView(self.session.proc, rect.size)
            self.fluoro.set_arm(self.arm)
        else:
            self.fluoro.resize(rect.size)

    @property
    def presets(self) -> tuple[CArm, ...]:
        """The C-arm presets (keys 1–4), and the case's own view (key 5) when it names one."""
        return PRESETS + ((self.case_arm,) if self.case_arm is not None else ())

    def turn(self, arm: CArm) -> None:
        """Set the C-arm angulation; the view follows at the next frame (several key presses
        in one frame build one angulation's maps, about a second for a new one)."""
        self.arm = arm.clamped()

    def note_runs(self) -> None:
        """Remember the angulation each new contrast run was taken in (for the debrief)."""
        n = len(self.session.proc.contrast_runs)
        self.run_arms += [self.arm] * (n - len(self.run_arms))

    def projection_note(self) -> list[str]:
        """The debrief's comment on the angulations of the contrast runs."""
        self.note_runs()
        kp = self.session.case.scenario.key_projection
        return projection_note(self.run_arms, self.case_arm, kp.opens if kp else "")

    def _carm(self, name: str) -> bool:
        """The C-arm commands: ``carm_<i>`` presets, ``carm_next`` (cycle), ``carm_lao`` …"""
        steps = {"lao": (STEP_DEG, 0.0), "rao": (-STEP_DEG, 0.0)}
        steps |= {"cran": (0.0, STEP_DEG), "caud": (0.0, -STEP_DEG)}
        what = name.removeprefix("carm_")
        if what in steps:
            self.turn(self.arm.turned(*steps[what]))
        elif what == "next":
            p = self.presets
            self.turn(p[(p.index(self.arm) + 1) % len(p)] if self.arm in p else AP)
        elif what.isdigit() and int(what) < len(self.presets):
            self.turn(self.presets[int(what)])
        else:
            return False
        return True

    def command(self, name: str) -> bool:
        """The viewer's commands (dsa, roadmap, its opacity, cine, teaching, help); False if
        ``name`` is not one."""
        if name == "roadmap_opacity":
            self.session.next_roadmap_opacity()
            self.session.say(f"Roadmap opacity {100 * self.session.roadmap_opacity:.0f} %")
        elif name == "cine":
            self.session.toggle_cine(DSA_FPS)
        elif name == "dsa":
            self.mode = "dsa" if self.mode == "fluoro" else "fluoro"
        elif name == "roadmap":
            self.roadmap = not self.roadmap
        elif name == "teaching":
            self.teaching = not self.teaching and not self.exam
            if self.exam:
                self.session.say("Exam mode: no teaching overlay before the debrief")
        elif name == "scan":
            self.show_scan = not self.show_scan
        elif name == "help":
            self.show_help, self.show_agents = not self.show_help, False
        elif name == "agents":
            self.show_agents, self.show_help = not self.show_agents, False
        elif name.startswith("carm_"):
            return self._carm(name)
        else:
            return False
        return True

    # ------------------------------------------------------------------ pictures
    def angiograms(self) -> tuple:
        """The first and last angiograms as the trainee saw them: DSA at the peak of the first
        and the last contrast run (without a run, "before" is now and there is no "after")."""
        if self.fluoro is None:
            return None, None
        runs = self.session.proc.contrast_runs
        self.note_runs()
        if runs:
            self.fluoro.set_arm(self.run_arms[0])  # each run in the angulation it was taken in
        before = self.fluoro.render(run_peak(runs[0]) if runs else self.session.proc.t, mode="dsa")
        after = None
        if runs:
            self.fluoro.set_arm(self.run_arms[-1])
            after = self.fluoro.render(run_peak(runs[-1]), mode="dsa")
        self.fluoro.set_arm(self.arm)
        return before, after

    def draw_image(self, surface, mode: str | None = None, teaching: bool | None = None) -> None:
        """The angiogram at the session's time (the viewer's mode unless told), or the cine
        loop's frame while it is open."""
        self.frame_i += 1
        self.note_runs()
        self.fluoro.set_arm(self.arm)
        cine = self.session.cine
        if self.show_scan and mode is None:
            surface.blit(self.scan_image(), self.rect.topleft)
            return
        if cine is not None and mode is None:
            img = self.fluoro.render(cine.time(), mode="dsa")
            surface.blit(img, self.rect.topleft)
            return
        img = self.fluoro.render(
            self.session.proc.t,
            mode=self.mode if mode is None else mode,
            roadmap=self.roadmap if mode is None else False,
            roadmap_opacity=self.session.roadmap_opacity,
            teaching=(self.teaching if teaching is None else teaching) and not self.exam,
            seed_frame=self.frame_i,
        )
        surface.blit(img, self.rect.topleft)

    def scan_image(self):
        """The MAA and Y-90 studies as they stand (redrawn at most once a simulated 2 s)."""
        proc = self.session.proc
        key = (proc.tick // SCAN_EVERY_TICKS, proc.finished, self.rect.size)
        if self._scan is None or self._scan[0] != key:
            self._scan = (key, draw_studies(studies(proc), self.rect.size))
        return self._scan[1]

    # ------------------------------------------------------------------ overlay
    def draw_overlay(self, surface) -> None:
        """Breadcrumb, state flags, view mode and the current notice."""
        px, s = self.app.px, self.session
        if self.show_scan:  # the studies carry their own titles; no catheter to point at
            draw_lines(
                surface,
                ["NUCLEAR MEDICINE · N closes"],
                (px(12), self.rect.bottom - px(28)),
                px(15),
                (180, 190, 200),
            )
            return
        self.draw_next_branch(surface)
        draw_lines(
            surface, [s.breadcrumb_text()], (px(12), px(10)), px(18), (255, 255, 200), bold=True
        )
        flags, st = [], s.proc.status()
        if st.in_reflux:
            flags.append(("REFLUX", (255, 90, 90)))
        if st.stasis_level == 2:
            flags.append(("STASIS", (255, 200, 80)))
        if st.contrast_reflux:
            flags.append(("contrast refluxing", (170, 210, 255)))
        if s.paused:
            flags.append(("PAUSED", (200, 200, 255)))
        if s.clock.slow:
            flags.append(("running slowly", (255, 160, 60)))
        x = px(12)
        for text, col in flags:
            img = font(px(20), True).render(text, True, col)
            surface.blit(img, (x, px(38)))
            x += img.get_width() + px(16)
        on = self.roadmap and self.mode == "fluoro"  # DSA shows the run itself
        road = f" · roadmap {100 * s.roadmap_opacity:.0f} %" if on else ""
        mode = (
            f"{self.mode.upper()}{road}{' · teaching' if self.teaching else ''} · {self.arm.label}"
            f"{' · EXAM' if self.exam else ''}"
        )
        if s.cine is not None:
            mode = s.cine.label(s.proc.t) + "   (V closes)"
        draw_lines(surface, [mode], (px(12), self.rect.bottom - px(28)), px(15), (180, 190, 200))
        if s.message_t > 0:
            self.draw_box(surface, [s.message], y=self.rect.bottom - px(90))

    def next_branch_px(self) -> list[tuple[int, int]]:
        """Window pixels of the branch Up will take (empty at a dead end)."""
        e = self.session.next_branch()
        if e is None or self.fluoro is None:
            return []
        return [(x + self.rect.x, y + self.rect.y) for x, y in self.fluoro.edge_px(e)]

    def draw_next_branch(self, surface) -> None:
        """Highlight the branch Up will take, with its name at its far end."""
        pts = self.next_branch_px()
        if len(pts) < 2:
            return
        px = self.app.px
        for a, b in zip(pts, pts[1:], strict=False):
            line(surface, NEXT_BRANCH_COLOR, a, b, max(2, px(3)))
        name = self.session.proc.c.names[self.session.next_branch()]
        img = font(px(15), True).render(f"Up: {name}", True, NEXT_BRANCH_COLOR)
        surface.blit(img, (pts[-1][0] + px(6), pts[-1][1] - img.get_height() // 2))

    def draw_caption(self, surface, text: str) -> None:
        """A caption bar across the bottom of the view (autoplay, playback)."""
        px, vr = self.app.px, self.rect
        img = font(px(24), True).render(text, True, (255, 255, 255))
        bar_h = img.get_height() + px(20)
        y = vr.bottom - bar_h - px(40)
        veil(surface, Rect(0, y, vr.width, bar_h), (0, 0, 0), 170)
        surface.blit(img, ((vr.width - img.get_width()) // 2, y + px(10)))

    def draw_help(self, surface) -> None:
        """The keys (H) or what each agent on the shelf and each size is (G)."""
        if self.show_help:
            self.draw_box(surface, [("Keys", "")] + HELP, y=self.app.px(70))
        elif self.show_agents:
            rows = agent_help_lines(self.session.agent_ids)
            self.draw_box(surface, [("Agents and sizes (G closes)", "")] + rows, y=self.app.px(60))

    def draw_box(self, surface, lines, y: int | None = None) -> None:
        """A dark box centred on the view; lines are strings, or (key, meaning) in two columns.

        Long lines are wrapped to the view's width and the type shrinks (down to 11 px at
        1280×800) until the box fits the view's height, so nothing is cut off.
        """
        px = self.app.px
        max_w, max_h = self.rect.width - px(24), self.rect.height - px(16)
        for size in range(px(16), px(11) - 1, -1):
            rows, col, w = self._box_rows(lines, size, max_w - px(32))
            step = int(size * 1.4)
            h = len(rows) * step + px(24)
            if h <= max_h:
                break
        w += px(32)
        x = self.rect.left + (self.rect.width - w) // 2
        if y is None or y + h > self.rect.bottom:
            y = self.rect.top + max(0, (self.rect.height - h) // 2)
        veil(surface, Rect(x, y, w, h), (10, 12, 16), 225)
        for i, (a, b) in enumerate(rows):
            yy = y + px(12) + i * step
            head = (255, 236, 170) if b or (a and col and not a.startswith(" ")) else None
            draw_lines(surface, [a], (x + px(16), yy), size, head or (225, 228, 235))
            if b:
                draw_lines(surface, [b], (x + px(16) + col, yy), size)

    @staticmethod
    def _box_rows(lines, size: int, room: int) -> tuple[list[tuple[str, str]], int, int]:
        """The box's rows wrapped into ``room`` pixels; returns rows, the second column's x
        offset and the widest row's width."""
        f = font(size)
        rows = [(t, "") if isinstance(t, str) else t for t in lines]
        two = any(b for _, b in rows)
        col = min(max(f.size(a)[0] for a, b in rows if b) + size, room // 3) if two else 0
        out: list[tuple[str, str]] = []
        for a, b in rows:
            if b:
                parts = wrap(b, size, room - col)
                out += [(a, parts[0])] + [("", p) for p in parts[1:]]
            else:
                out += [(p, "") for p in wrap(a, size, room)]
        w = max(col + f.size(b)[0] if b else f.size(a)[0] for a, b in out)
        return out, col, w
