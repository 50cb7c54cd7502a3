"""The case picker: the library with title, difficulty, goals and briefing; broken files with
their errors (never a crash); the trainee's name, remembered."""

from __future__ import annotations

from sim.app.scene import Scene
from sim.app.settings import SCENARIOS
from sim.render.canvas import Rect
from sim.render.text import draw_lines, draw_paragraph, wrap
from sim.scenario.load import LoadedCase, load_library
from sim.ui import widgets as gui
from sim.ui.inputs import Input, Key, WidgetEvent


class PickerScene(Scene):
    """Choose a case and start it."""

    def __init__(self, app, folder=None) -> None:
        super().__init__(app)
        self.folder = folder or app.library_folder or SCENARIOS
        self.cases: list[LoadedCase] = load_library(self.folder)
        last = app.settings.get("last_case")
        names = [c.path.name for c in self.cases]
        self.index = names.index(last) if last in names else 0

    def _label(self, c: LoadedCase) -> str:
        if c.scenario is None:
            return f"BROKEN  {c.path.name}"
        return f"{c.scenario.difficulty}/5   {c.scenario.title}"

    def resize(self, size) -> None:
        ui, px = self.app.ui, self.app.px
        w, h = size
        self.list_w = int(w * 0.45)
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
        self.start = gui.button(
            Rect(w - px(236), h - px(70), px(220), px(50)), "Start case (Enter)", ui
        )
        self.history = gui.button(
            Rect(w - px(472), h - px(70), px(220), px(50)), "History (F2)", ui
        )

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
        elif event.kind == "text_changed" and event.element == self.name:
            self.app.settings.set("trainee", self.name.get_text().strip()[:40])

    def handle(self, inp: Input) -> None:
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
            elif inp.name == "escape":
                self.app.running = False

    def _history(self) -> None:
        self.go("history")

    def _start(self) -> None:
        case = self._selected()
        if case is None or case.scenario is None:
            return
        self.app.settings.set("last_case", case.path.name)
        self.go("procedure", case=case)

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        x = self.list_w + px(40)
        rect = Rect(x, px(20), w - x - px(24), h - px(110))
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
            y = draw_paragraph(surface, "• " + g.goal, Rect(x, y, rect.width, px(80)), px(15))
        y += px(10)
        draw_lines(surface, ["Briefing"], (x, y), px(17), bold=True)
        y += px(24)
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
        draw_lines(
            surface,
            ["Siphon is a teaching tool, not a clinical planning device."],
            (x, h - px(34)),
            px(13),
            (150, 160, 170),
        )
