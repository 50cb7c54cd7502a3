"""What-if from the debrief: "replay from here with…" and the two outcomes side by side.

The fellow picks one of the case's actions (a catheter move, the agent, an injection), picks
one change (catheter position, agent, particle size or rate), and the case is run again
headless up to that action, with the change, and on to the end (:mod:`sim.records.whatif`).
Everything is reachable by keyboard: Up/Down choose, Tab switches list, Enter runs, Esc goes back.
Vessels are named as the tree names them (never ``#33``); the re-run happens on a worker thread
with its progress on screen.
"""

from __future__ import annotations

from sim.action_text import MENU, describe
from sim.app.report_text import points_text, score_text
from sim.app.scene import Scene
from sim.app.scenes.progress import Work, draw_progress
from sim.labels import label
from sim.outcome.result import Outcome
from sim.records.whatif import (
    Alternative,
    WhatIfError,
    alternatives,
    effective,
    run_what_if,
)
from sim.render.canvas import Rect
from sim.render.text import draw_lines, wrap
from sim.ui import widgets as gui
from sim.ui.inputs import Input, Key, WidgetEvent

EXPECTED_RUN_S = 10.0  # a what-if re-runs the whole case headless (U: the bar's scale)


def vessel_label(c, target: str) -> str:
    """A catheter target as the trainee reads it: ``#33`` (a clicked segment) by its vessel's
    name in the tree; other targets as they are."""
    if target.startswith("#") and target[1:].isdigit() and int(target[1:]) < len(c.names):
        return c.names[int(target[1:])]
    return target


class WhatIfScene(Scene):
    """Choose an action of the finished case and one change to it."""

    def __init__(self, app, debrief) -> None:
        super().__init__(app)
        self.debrief = debrief
        proc = debrief.proc
        self.log = list(proc.log)
        names = set(proc.c.names)
        self.rows: list[tuple[int, list[Alternative]]] = []
        for i in effective(self.log):
            alts = alternatives(self.log[i][1], proc.scenario, names)
            if alts:
                self.rows.append((i, alts))
        self.row = 0
        self.alt = 0
        self.focus = 0  # 0: actions, 1: changes
        self.message = "" if self.rows else "Nothing in this case can be changed."
        self.work: Work | None = None
        self.choice: Alternative | None = None

    @property
    def pending(self) -> bool:
        """A what-if is running."""
        return self.work is not None

    def _action_label(self, k: int) -> str:
        i, _ = self.rows[k]
        tick, item = self.log[i]
        c = self.debrief.proc.c
        text = describe(item, MENU, vessel_name=lambda t: vessel_label(c, t))
        return f"{k + 1:2d}.  {tick * 0.05:6.0f} s   {text}"

    def resize(self, size) -> None:
        ui, px = self.app.ui, self.app.px
        w, h = size
        half = (w - px(48)) // 2
        gui.label(
            Rect(px(16), px(10), w - px(32), px(34)),
            "What if…  replay from an action with one thing changed",
            ui,
            object_id="#title",
        )
        top, bottom = px(80), h - px(90)
        self.actions_list = gui.selection_list(
            Rect(px(16), top, half, bottom - top),
            [self._action_label(k) for k in range(len(self.rows))],
            ui,
            self._action_label(self.row) if self.rows else None,
        )
        alts = [a.label for a in self.rows[self.row][1]] if self.rows else []
        self.alt = min(self.alt, max(len(alts) - 1, 0))
        self.alts_list = gui.selection_list(
            Rect(px(32) + half, top, half, bottom - top), alts, ui, alts[self.alt] if alts else None
        )
        self.run_btn, self.back_btn = self.button_row(["Run what-if (Enter)", "Back (Esc)"], 220)

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind == "selected":
            if event.element == self.actions_list:
                labels = [self._action_label(k) for k in range(len(self.rows))]
                if event.text in labels:
                    self.row, self.alt, self.focus = labels.index(event.text), 0, 0
                    self._rebuild()
            elif event.element == self.alts_list and self.rows:
                labels = [a.label for a in self.rows[self.row][1]]
                if event.text in labels:
                    self.alt, self.focus = labels.index(event.text), 1
        elif event.kind == "pressed":
            if event.element == self.run_btn and self.rows:
                self._ask_run()
            elif event.element == self.back_btn:
                self.app.switch(self.debrief)

    def _rebuild(self) -> None:
        self.app.ui.clear_and_reset()
        self.resize(self.app.size)

    def handle(self, inp: Input) -> None:
        if not isinstance(inp, Key) or not inp.down or self.work is not None:
            return
        k = inp.name
        if k == "escape":
            self.app.switch(self.debrief)
        elif k == "return" and self.rows:
            self._ask_run()
        elif k in ("tab", "left", "right"):
            self.focus = 1 - self.focus if k == "tab" else int(k == "right")
        elif k in ("up", "down") and self.rows:
            step = 1 if k == "down" else -1
            if self.focus == 0:
                self.row = max(0, min(self.row + step, len(self.rows) - 1))
                self.alt = 0
            else:
                self.alt = max(0, min(self.alt + step, len(self.rows[self.row][1]) - 1))
            self._rebuild()

    def _ask_run(self) -> None:
        """Start the what-if on a worker thread; :meth:`update` shows the comparison."""
        if self.work is not None:
            return
        i, alts = self.rows[self.row]
        self.choice = choice = alts[self.alt]
        d, log = self.debrief, self.log
        self.message = ""
        self.work = Work(
            lambda report: run_what_if(d.proc.scenario, d.proc.seed, log, i, choice.action, report),
            EXPECTED_RUN_S,
        )

    def update(self, dt: float) -> None:
        w = self.work
        if w is None or not w.done:
            return
        self.work = None
        if isinstance(w.error, WhatIfError):
            self.message = f"Cannot do that: {w.error}"
        elif w.error is not None or w.result is None:
            self.message = f"The what-if failed: {w.error}"
        else:
            proc, out = w.result
            self.app.switch(CompareScene(self.app, self.debrief, self, self.choice, proc, out))

    def wait(self, limit_s: float = 120.0) -> None:
        """Block until the running what-if is done (scripts and screenshots)."""
        if self.work is not None:
            self.work.thread.join(limit_s)

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        heads = ("The case's actions (Up/Down)", "Change one thing (Tab, then Up/Down)")
        for k, text in enumerate(heads):
            bold = self.focus == k
            x = px(16) + k * ((w - px(48)) // 2 + px(16))
            draw_lines(surface, [text], (x, px(50)), px(16), (255, 236, 170), bold)
        if self.message:
            line = wrap(self.message, px(18), w - px(32), True)[0]
            draw_lines(surface, [line], (px(16), h - px(60)), px(18), (255, 220, 140), True)
        if self.work is not None:
            title = f"What if: {self.choice.label}"
            draw_progress(surface, self.app, title, self.work, "running the case again")


class CompareScene(Scene):
    """What was done and the what-if, side by side."""

    def __init__(self, app, debrief, chooser: WhatIfScene, choice, proc, out) -> None:
        super().__init__(app)
        self.debrief, self.chooser, self.choice = debrief, chooser, choice
        self.left, self.right = debrief.out, out
        self.proc = proc
        self.images = [_final_dsa(debrief.proc), _final_dsa(proc)]

    def resize(self, size) -> None:
        self.again, self.back = self.button_row(
            ["Another what-if (W)", "Back to debrief (Esc)"], 230
        )

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind == "pressed":
            if event.element == self.again:
                self.app.switch(self.chooser)
            elif event.element == self.back:
                self.app.switch(self.debrief)

    def handle(self, inp: Input) -> None:
        if isinstance(inp, Key) and inp.down:
            if inp.name == "w":
                self.app.switch(self.chooser)
            elif inp.name == "escape":
                self.app.switch(self.debrief)

    @staticmethod
    def column(o: Outcome) -> list[str]:
        """The lines compared for one outcome."""
        rows = [f"Score {score_text(o.score)} / 100"]
        rows += [
            f"{label(c.name)}: {points_text(c.points, c.max)} — {c.reason}" for c in o.components
        ]
        rows += [
            f"{t.id}: coverage {100 * t.coverage:.0f} %"
            + (f", {t.dose_gy:.0f} Gy" if t.dose_gy > 0 else "")
            for t in o.tumors
        ]
        rows.append(f"normal liver injured {100 * o.normal_liver.damage:.1f} %")
        nt = ", ".join(f"{label(d.territory)} {100 * d.fraction:.2f} %" for d in o.non_target)
        nt = nt or "none"
        rows.append(f"non-target: {nt}")
        rows.append(f"lung dose {o.lung_dose_gy:.1f} Gy · endpoint SACE {o.sace_level}")
        return rows

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        col = (w - px(48)) // 2
        for k, (title, o) in enumerate(
            (("What you did", self.left), (f"What if: {self.choice.label}", self.right))
        ):
            x = px(16) + k * (col + px(16))
            y = px(14)
            for line in wrap(title, px(20), col, True):
                draw_lines(surface, [line], (x, y), px(20), (255, 255, 255), True)
                y += px(26)
            y += px(6)
            other = self.column(self.left)
            for i, text in enumerate(self.column(o)):
                size = px(24) if i == 0 else px(15)
                colr = (255, 230, 140) if i == 0 else (225, 228, 235)
                if k == 1 and i > 0 and (i >= len(other) or other[i] != text):
                    colr = (130, 210, 255)  # what the change changed
                for line in wrap(text, size, col, i == 0):
                    draw_lines(surface, [line], (x, y), size, colr, i == 0)
                    y += int(size * 1.3)
            img = self.images[k]
            room_h = h - px(80) - (y + px(30))
            if img is not None and room_h > px(80):
                ih = min(room_h, int(col * img.get_height() / img.get_width()))
                iw = int(ih * img.get_width() / img.get_height())
                draw_lines(surface, ["Last angiogram (DSA)"], (x, y + px(8)), px(14), bold=True)
                surface.blit(self.scaled(img, (iw, ih)), (x, y + px(28)))
        delta = self.right.score - self.left.score
        draw_lines(
            surface,
            [f"Score change {delta:+.1f} — a simulation, not a prediction for a patient."],
            (px(16), h - px(56)),
            px(17),
            (200, 220, 255),
        )


def _final_dsa(proc):
    """The last contrast run of a procedure at its peak, as DSA (None: no run)."""
    from sim.render.fluoro import FluoroView

    if not proc.contrast_runs:
        return None
    run = proc.contrast_runs[-1]
    return FluoroView(proc, (640, 560)).render(run.t0 + min(run.duration, 2.0), mode="dsa")
