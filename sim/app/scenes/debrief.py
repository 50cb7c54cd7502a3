"""The debrief: score and reasons, tumours, normal liver, non-target deposits with their
complications and sources, complication risks, the timeline, before/after angiograms — or,
after an MAA mapping or a Y-90 treatment, the nuclear-medicine pictures (S switches)."""

from __future__ import annotations

from sim.app.report_text import decision_lines, points_text, score_text
from sim.app.scene import Scene
from sim.engine.final import assess_procedure
from sim.engine.procedure import Procedure
from sim.engine.scans import studies
from sim.labels import label
from sim.outcome.lu177 import lu177_lines
from sim.outcome.penalties import FAIL_CAP
from sim.outcome.response import lesson_lines
from sim.outcome.result import Outcome
from sim.render.scintigraphy import draw_studies
from sim.render.text import draw_lines, wrap
from sim.scenario.load import LoadedCase
from sim.ui.inputs import Input, Key, Wheel, WidgetEvent


class DebriefScene(Scene):
    """What happened and why."""

    def __init__(
        self,
        app,
        case: LoadedCase,
        proc: Procedure,
        before=None,
        after=None,
        outcome: Outcome | None = None,
        record_id: int | None = None,
        exit_after: int | None = None,
        shot_dir=None,
        projections: list[str] | None = None,
    ):
        super().__init__(app)
        self.case, self.proc = case, proc
        self.out = outcome if outcome is not None else assess_procedure(proc)
        self.record_id = record_id
        self.before, self.after = before, after
        self.scroll = 0
        self.notice = ""
        self.report_path = None
        self.exit_after = exit_after  # demo: frames to show before closing
        self.shot_dir = shot_dir  # demo: where the last screenshot goes
        self.projections = projections or []  # the C-arm comment (render.projection)
        self.studies = studies(proc)  # the MAA mapping and the Y-90 scan, when given
        self.show_scan = self.studies.maa is not None or self.studies.y90 is not None
        self._scan_img = None  # (size, picture)

    def resize(self, size) -> None:
        self.report, self.whatif, self.retry, self.next, self.lib = self.button_row(
            ["Report (E)", "What if… (W)", "Retry (R)", "Next case (N)", "Library (L)"], 170, 44
        )

    def _go(self, what: str) -> None:
        if what == "whatif":
            self.go("whatif", debrief=self)
        elif what == "retry":
            self.go("procedure", case=self.case)
        elif what == "next":
            self.go("next_case", after=self.case)
        else:
            self.go("picker")

    def _report(self) -> None:
        """Write the HTML report and the PNG card into the data folder and say where."""
        import datetime
        import os
        import webbrowser

        from sim.app.report import report_for_procedure

        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"record-{self.record_id}" if self.record_id else f"case-{stamp}"
        folder = self.app.data_dir / "reports" / name
        meta = {
            "trainee": self.app.settings.get("trainee", ""),
            "record_id": self.record_id,
            "date": stamp,
        }
        try:
            files = report_for_procedure(
                self.proc, self.out, meta, folder, before=self.before, after=self.after
            )
        except OSError as exc:
            self.notice = f"Could not write the report: {exc}"
            return
        self.report_path = files.html
        self.notice = f"Report written: {files.html}  (card: {files.card.name})"
        if os.environ.get("SDL_VIDEODRIVER") not in ("dummy", "offscreen"):
            webbrowser.open(files.html.as_uri())

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind == "pressed":
            {
                self.retry: lambda: self._go("retry"),
                self.next: lambda: self._go("next"),
                self.lib: lambda: self._go("library"),
                self.whatif: lambda: self._go("whatif"),
                self.report: self._report,
            }.get(event.element, lambda: None)()

    def handle(self, inp: Input) -> None:
        if isinstance(inp, Key) and inp.down:
            k = inp.name
            if k == "r":
                self._go("retry")
            elif k == "n":
                self._go("next")
            elif k == "w":
                self._go("whatif")
            elif k == "e":
                self._report()
            elif k == "s":
                self.show_scan = not self.show_scan
            elif k in ("l", "escape"):
                self._go("library")
            elif k in ("down", "pagedown"):
                self.scroll += self.app.px(60)
            elif k in ("up", "pageup"):
                self.scroll = max(0, self.scroll - self.app.px(60))
        elif isinstance(inp, Wheel):
            self.scroll = max(0, self.scroll - inp.y * self.app.px(40))

    def _lines(self, width: int) -> list[tuple[str, int, bool, tuple]]:
        """(text, size, bold, colour) rows of the report column."""
        px, o = self.app.px, self.out
        rows: list[tuple[str, int, bool, tuple]] = []

        def add(text, size=15, bold=False, col=(225, 228, 235)):
            for line in wrap(text, px(size), width, bold):
                rows.append((line, px(size), bold, col))

        self._score_lines(add)
        self._tumor_lines(add)
        if o.lu177 is not None:
            add("Lu-177 DOTATATE (PRRT)", 17, True)
        for line in lu177_lines(o.lu177):
            add(line, 15)
        self._y90_plan_lines(add)
        self._scan_lines(add)
        self._harm_lines(add)
        self._timeline_lines(add)
        return rows

    def _score_lines(self, add) -> None:
        """Title, failures, score with its components and penalties, decision, learning goals."""
        o = self.out
        add(f"{self.case.scenario.title}", 20, True, (255, 255, 255))
        if o.failures:
            add(f"Failed — score capped at {FAIL_CAP:.0f}", 20, True, (255, 140, 130))
            for why in o.failures:
                add("• " + why, 15, col=(255, 170, 160))
        add(f"Score {score_text(o.score)} / 100", 26, True, (255, 230, 140))
        for c in o.components:
            add(f"{label(c.name)}: {points_text(c.points, c.max)} — {c.reason}")
        for p in o.penalties:
            add(f"− {p.points:.1f} {label(p.name)} — {p.reason}", col=(255, 200, 160))
        for line in decision_lines(o):
            add(
                line,
                16,
                True,
                (255, 230, 140) if o.decline is None or o.decline.right else (255, 170, 160),
            )
        if o.goals:
            add("Learning goals", 17, True)
        for g in o.goals:
            mark, tone = {True: ("✓", (150, 230, 160)), False: ("✗", (255, 170, 160))}.get(
                g.met, ("–", (200, 205, 215))
            )
            add(f"{mark} {g.goal} — {g.reason}", 15, col=tone)

    def _tumor_lines(self, add) -> None:
        """Each tumour's coverage and dose-volume, the normal liver and the lessons drawn."""
        o = self.out
        add("Tumours", 17, True)
        for t in o.tumors:
            add(
                f"{t.id} ({t.mass_g:.0f} g, T/N {t.tn_ratio:g}"
                f"{', target' if t.target else ''}): coverage {100 * t.coverage:.0f} % "
                f"(rim {100 * t.rim_coverage:.0f} %, core {100 * t.core_coverage:.0f} %),"
                f" {100 * t.deposited_fraction:.1f} % of the agent"
                + (f", {t.dose_gy:.0f} Gy" if t.dose_gy > 0 else "")
            )
            dv = [pt for pt in t.dose_volume if pt.dose_gy > 0]
            if dv:
                add(
                    "  dose-volume: "
                    + ", ".join(
                        f"{100 * pt.volume_fraction:.0f} % ≥ {pt.dose_gy:.0f} Gy" for pt in dv
                    ),
                    14,
                    col=(200, 210, 225),
                )
        add("Normal liver", 17, True)
        nl = o.normal_liver
        add(
            f"{100 * nl.damage:.1f} % injured; mean dose {nl.dose_gy:.0f} Gy; by segment: "
            + ", ".join(f"{s} {100 * v:.0f} %" for s, v in nl.damage_by_segment.items())
        )
        for line in lesson_lines(o):
            add(line, 14, col=(200, 220, 255))

    def _harm_lines(self, add) -> None:
        """Non-target deposits, complication risks; lung dose, endpoint, fluoroscopy, contrast."""
        o = self.out
        add("Non-target", 17, True)
        if not o.non_target:
            add("None.")
        for d in o.non_target:
            where = label(d.territory)
            add(f"{where}: {100 * d.fraction:.2f} % — {d.complication}", col=(255, 170, 160))
        add("Complication risks", 17, True)
        if not o.complications:
            add("None for this patient and what was given.")
        for r in o.complications:
            add(
                f"{r.name}: {100 * r.probability:.0f} %"
                f"{'' if r.scored else ' (not scored)'} — {r.source}"
            )
        add(
            f"Lung dose {o.lung_dose_gy:.1f} Gy · endpoint SACE {o.sace_level or '–'} · "
            f"fluoroscopy {o.metrics.fluoro_s / 60:.1f} min · contrast "
            f"{o.metrics.contrast_ml:g} mL",
            15,
        )

    def _timeline_lines(self, add) -> None:
        """The C-arm comment, the event timeline, the case's notes and the disclaimer."""
        o = self.out
        if self.projections:
            add("C-arm: " + " ".join(self.projections), 15)
        add("Timeline", 17, True)
        for e in o.events:
            add(f"{e.t:6.0f} s  {e.kind}: {e.detail}", 13, col=(195, 200, 210))
        for note in self.case.scenario.debrief_notes:
            add("• " + note, 14, col=(200, 220, 255))
        add(o.disclaimer, 13, col=(150, 160, 170))

    def _y90_plan_lines(self, add) -> None:
        """What the calculator planned for each tip Y-90 was given from, beside what was given."""
        from sim.engine.y90_plan import injection_plans

        plans = injection_plans(self.proc)
        if not plans:
            return
        add("Y-90 plan from the tip", 17, True)
        for p in plans:
            t, a = p.territory, p.activity_gbq
            planned = "do not treat" if a is None else f"{a:.2f} GBq"
            add(
                f"{t.at} ({t.mass_g:.0f} g: tumour {t.tumor_mass_g:.0f} g), {p.inputs.method}: "
                f"{planned} → tumour {p.tumor_gy:.0f}, normal liver {p.normal_liver_gy:.0f}, "
                f"lung {p.lung_gy:.1f} Gy"
            )
        add(f"Given in all: {self.out.metrics.activity_gbq:.2f} GBq", 14, col=(200, 210, 225))

    def _scan_lines(self, add) -> None:
        """The nuclear-medicine studies in words (S shows their pictures)."""
        st = self.studies
        if st.maa is None and st.y90 is None:
            return
        add("Nuclear medicine (S: pictures / angiograms)", 17, True)
        for title, scan in (("MAA mapping (predicted)", st.maa), ("Y-90 (delivered)", st.y90)):
            if scan is not None:
                add(f"{title}: " + " · ".join(scan.notes), 14, col=(200, 210, 225))

    def _draw_scan(self, surface, x: int, y: int, w: int, h: int) -> None:
        """Predicted (MAA) above delivered (Y-90), scaled into the right column."""
        if self._scan_img is None or self._scan_img[0] != (w, h):
            self._scan_img = ((w, h), draw_studies(self.studies, (w, h)))
        surface.blit(self._scan_img[1], (x, y))

    def update(self, dt: float) -> None:
        if self.exit_after is not None:
            self.exit_after -= 1
            if self.exit_after <= 0:
                if self.shot_dir is not None:
                    self.app.screenshot(self.shot_dir / "99_debrief.png")
                self.app.running = False

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        if self.notice:
            for i, line in enumerate(wrap(self.notice, px(14), w - px(40))[:2]):
                draw_lines(
                    surface, [line], (px(20), h - px(100) + i * px(18)), px(14), (150, 230, 160)
                )
        col_w = int(w * 0.52)
        y = px(16) - self.scroll
        for text, size, bold, col in self._lines(col_w):
            if -size < y < h - px(70):
                draw_lines(surface, [text], (px(20), y), size, col, bold)
            y += int(size * 1.3)
        x = col_w + px(40)
        img_w = w - x - px(20)
        yy = px(16)
        if self.show_scan:
            self._draw_scan(surface, x, yy, img_w, h - px(16) - px(76) - px(16))
            return
        room = (h - px(16) - px(76) - 2 * px(32)) // 2  # two images above the buttons
        for title, img in (("Before", self.before), ("After", self.after)):
            if img is None:
                continue
            ih = min(int(img_w * img.get_height() / img.get_width()), room)
            iw = int(ih * img.get_width() / img.get_height())
            surface.blit(self.scaled(img, (iw, ih)), (x, yy + px(22)))
            draw_lines(surface, [f"{title} (DSA)"], (x, yy), px(15), bold=True)
            yy += ih + px(32)
