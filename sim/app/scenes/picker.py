"""The case picker: the library by difficulty with title, goals, patient and briefing; broken
files with their errors (never a crash); the trainee's name, remembered; exam mode on or off.

Starting a case builds it on a worker thread (:class:`~sim.app.scenes.progress.Work`: anatomy,
tree, first flow solve — seconds on a large tree) while the picker shows its progress.
"""

from __future__ import annotations

from sim.app.scene import Scene
from sim.app.scenes.progress import Work, draw_progress
from sim.app.settings import SCENARIOS
from sim.render.canvas import Rect
from sim.render.text import draw_lines, draw_paragraph, wrap
from sim.scenario.load import LoadedCase, load_library
from sim.ui import widgets as gui
from sim.ui.inputs import Input, Key, WidgetEvent

DEFAULT_CASE = "default.yaml"
DISCLAIMER = "Siphon is a teaching tool, not a clinical planning device."
EXPECTED_BUILD_S = 6.0  # the progress bar's scale before a case's time is known (U)


def by_difficulty(cases: list[LoadedCase]) -> list[LoadedCase]:
    """Playable cases from the easiest (then by title), broken files last."""
    return sorted(
        cases,
        key=lambda c: (
            (0, c.scenario.difficulty, c.scenario.title.lower())
            if c.scenario is not None
            else (1, 0, c.path.name)
        ),
    )


def patient_line(sc) -> str:
    """The patient as the briefing gives it: age, sex, weight, height, BSA, labs, risks."""
    from sim.outcome.dosimetry import bsa_m2

    p = sc.patient
    risks = [
        text
        for flag, text in (
            (p.prior_whipple, "prior Whipple"),
            (p.portal_vein_thrombosis, "portal vein thrombosis"),
            (p.carcinoid_syndrome, "carcinoid syndrome"),
        )
        if flag
    ] + list(p.prior_treatments)
    return (
        f"Patient: {p.age_y} y {p.sex}, {p.weight_kg:g} kg, {p.height_cm:g} cm "
        f"(BSA {bsa_m2(p.weight_kg, p.height_cm):.2f} m²); bilirubin {p.bilirubin_mg_dl:g} "
        f"mg/dL, albumin {p.albumin_g_dl:g} g/dL" + (f"; {', '.join(risks)}" if risks else "")
    )


def build_procedure(case: LoadedCase):
    """The case's procedure, built (off the window's thread)."""
    from sim.engine.procedure import Procedure

    return Procedure(case.scenario)


class PickerScene(Scene):
    """Choose a case and start it."""

    def __init__(self, app, folder=None) -> None:
        super().__init__(app)
        self.folder = folder or app.library_folder or SCENARIOS
        self.cases: list[LoadedCase] = by_difficulty(load_library(self.folder))
        last = app.settings.get("last_case")
        names = [c.path.name for c in self.cases]
        pick = last if last in names else DEFAULT_CASE
        self.index = names.index(pick) if pick in names else 0
        self.building: Work | None = None
        self.building_case: LoadedCase | None = None
        self.problem = ""

    def _label(self, c: LoadedCase) -> str:
        """The list's line for ``c``, shortened with "…" to the list's width (the full title
        is shown beside the list)."""
        full = (
            f"BROKEN  {c.path.name}"
            if c.scenario is None
            else (f"{c.scenario.difficulty}/5   {c.scenario.title}")
        )
        room = getattr(self, "list_w", 10**6) - self.app.px(44)  # padding and scroll bar
        if gui.list_item_width(self.app.ui, full) <= room:
            return full
        while full and gui.list_item_width(self.app.ui, full + "…") > room:
            full = full[:-1]
        return full.rstrip() + "…"

    def resize(self, size) -> None:
        ui, px = self.app.ui, self.app.px
        w, h = size
        self.list_w = int(w * 0.42)
        gui.label(
            Rect(px(16), px(12), self.list_w, px(34)),
            "Siphon — case library",
            ui,
            object_id="#title",
        )
        items = [self._label(c) for c in self.cases]
        self.list = gui.selection_list(
            Rect(px(16), px(56), self.list_w, h - px(150)),
            items,
            ui,
            items[self.index] if items else None,
        )
        gui.label(Rect(px(16), h - px(84), px(110), px(34)), "Trainee", ui)
        self.name = gui.text_entry(
            Rect(px(126), h - px(84), self.list_w - px(110), px(34)),
            ui,
            self.app.settings.get("trainee", ""),
        )
        self.name.set_text(self.app.settings.get("trainee", ""))
        self.exam_btn, self.history, self.start = self.button_row(
            [self._exam_text(), "History (F2)", "Start case (Enter)"], 190, 50
        )

    def _exam_text(self) -> str:
        return f"Exam mode: {'on' if self.app.exam else 'off'} (X)"

    def toggle_exam(self) -> None:
        """Exam mode for the cases started from here: only what a real room shows."""
        self.app.exam = not self.app.exam
        self.exam_btn.set_text(self._exam_text())

    def _selected(self) -> LoadedCase | None:
        return self.cases[self.index] if self.cases else None

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind in ("selected", "double_clicked"):
            labels = [self._label(c) for c in self.cases]
            if event.text in labels:
                self.index = labels.index(event.text)
            if event.kind == "double_clicked":
                self._start()
        elif event.kind == "pressed" and event.element == self.start:
            self._start()
        elif event.kind == "pressed" and event.element == self.history:
            self._history()
        elif event.kind == "pressed" and event.element == self.exam_btn:
            self.toggle_exam()
        elif event.kind == "text_changed" and event.element == self.name:
            self.app.settings.set("trainee", self.name.get_text().strip()[:40])

    def handle(self, inp: Input) -> None:
        if self.building is not None:
            return
        if isinstance(inp, Key) and inp.down:
            if inp.name in ("down", "up"):
                step = 1 if inp.name == "down" else -1
                self.index = max(0, min(self.index + step, len(self.cases) - 1))
                self.app.ui.clear_and_reset()
                self.resize(self.app.size)
            elif inp.name == "return":
                self._start()
            elif inp.name == "f2":
                self._history()
            elif inp.name == "x" and not self.name.is_focused:
                self.toggle_exam()
            elif inp.name == "escape":
                self.app.running = False

    def _history(self) -> None:
        self.go("history")

    def _start(self) -> None:
        """Build the selected case on a worker thread; :meth:`update` opens it when built."""
        case = self._selected()
        if case is None or case.scenario is None or self.building is not None:
            return
        self.app.settings.set("last_case", case.path.name)
        self.problem = ""
        known = self.app.settings.get("build_s", {}).get(case.path.name, EXPECTED_BUILD_S)
        self.building_case = case
        self.building = Work(lambda _report: build_procedure(case), float(known))

    def update(self, dt: float) -> None:
        b = self.building
        if b is None or not b.done:
            return
        case, self.building = self.building_case, None
        if b.error is not None or b.result is None:
            self.problem = f"{case.path.name} could not be built: {b.error}"
            return
        times = dict(self.app.settings.get("build_s", {}))
        times[case.path.name] = round(b.elapsed_s, 2)
        self.app.settings.set("build_s", times)
        self.go("procedure", case=case, proc=b.result)

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        x = self.list_w + px(40)
        rect = Rect(x, px(20), w - x - px(24), h - px(136))
        draw_lines(surface, [DISCLAIMER], (x, h - px(108)), px(13), (150, 160, 170))
        if self.problem:
            draw_paragraph(surface, self.problem, rect, px(15), (255, 140, 120))
            return
        self._draw_case(surface, rect)
        if self.building is not None:
            title = f"Building {self.building_case.scenario.title}"
            note = "anatomy, arterial tree and the first flow solve"
            draw_progress(surface, self.app, title, self.building, note)

    def _draw_case(self, surface, rect: Rect) -> None:
        """The selected case: title, difficulty, goals, patient and briefing (or its errors)."""
        px, x = self.app.px, rect.x
        case = self._selected()
        if case is None:
            draw_lines(surface, ["No cases found in " + str(self.folder)], rect.topleft, px(18))
            return
        if case.scenario is None:
            y = draw_lines(
                surface,
                [f"{case.path.name} cannot be loaded:"],
                rect.topleft,
                px(20),
                (255, 140, 120),
                bold=True,
            )
            lines = [w_ for p in case.problems for w_ in wrap(str(p), px(14), rect.width)]
            draw_lines(surface, lines, (x, y + px(8)), px(14), (255, 200, 190), max_y=rect.bottom)
            return
        sc = case.scenario
        y = draw_paragraph(surface, sc.title, rect, px(24), (255, 255, 255), bold=True)
        y = draw_paragraph(
            surface,
            f"Difficulty {sc.difficulty}/5 · Michels {sc.anatomy.michels}"
            f" · {len(sc.tumors)} tumour(s) · {sc.summary}",
            Rect(x, y + px(6), rect.width, px(60)),
            px(15),
            (190, 200, 210),
        )
        y += px(12)
        draw_lines(surface, ["Learning goals"], (x, y), px(17), bold=True)
        y += px(24)
        for g in sc.learning_goals:
            y = draw_paragraph(
                surface, "• " + g.goal, Rect(x, y, rect.width, rect.bottom - y), px(15)
            )
        y += px(10)
        draw_lines(surface, ["Briefing"], (x, y), px(17), bold=True)
        y += px(24)
        y = draw_paragraph(
            surface, patient_line(sc), Rect(x, y, rect.width, rect.bottom - y), px(15)
        )
        b = sc.briefing
        for label, text in (
            ("History", b.history),
            ("CT", b.ct),
            ("PET", b.pet),
            ("Biopsy", b.biopsy),
            ("Mapping", b.mapping),
        ):
            if text and y < rect.bottom - px(20):
                y = draw_paragraph(
                    surface,
                    f"{label}: {text}",
                    Rect(x, y, rect.width, rect.bottom - y),
                    px(15),
                )
