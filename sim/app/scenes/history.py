"""The trainee's history: cases played, best score, trend, learning goals met, and every record
— replayable in the window (Enter) to see where a case went wrong.

The summary comes from :mod:`sim.records.history` (the same as ``python main.py history``).
"""

from __future__ import annotations

from sim.app.report_text import score_text
from sim.app.scene import Scene
from sim.records.history import goal_line, summarize
from sim.render.canvas import Rect
from sim.render.text import draw_lines, wrap
from sim.ui import widgets as gui
from sim.ui.inputs import Input, Key, WidgetEvent


class HistoryScene(Scene):
    """Progress of the trainee named in the picker (everyone's when no name is set)."""

    def __init__(self, app) -> None:
        super().__init__(app)
        self.trainee = (app.settings.get("trainee", "") or "").strip()
        store = app.records
        self.problem = (app.records_problem or "") if store is None else store.notice
        every = store.list() if store is not None else []
        self.records = [r for r in every if not self.trainee or r.trainee == self.trainee]
        self.records = [r for r in self.records if r.mode in ("window", "cli", "import", "kiosk")]
        self.summaries = summarize(self.records)
        self.index = 0
        self.message = ""

    def _label(self, r) -> str:
        score = "–" if r.score is None else score_text(r.score)
        status = {"in_progress": "in progress"}.get(r.status, r.status)
        return f"#{r.id}  {r.started_at[:16].replace('T', ' ')}  {r.scenario_id}  {status}  {score}"

    def resize(self, size) -> None:
        ui, px = self.app.ui, self.app.px
        w, h = size
        who = self.trainee or "all trainees"
        gui.label(
            Rect(px(16), px(10), w - px(32), px(34)),
            f"History — {who}",
            ui,
            object_id="#title",
        )
        self.list_rect = Rect(w // 2 + px(8), px(80), w // 2 - px(24), h - px(170))
        labels = [self._label(r) for r in self.records]
        self.list = gui.selection_list(
            self.list_rect, labels, ui, labels[self.index] if labels else None
        )
        self.replay_btn, self.back_btn = self.button_row(["Replay (Enter)", "Back (Esc)"], 210)

    def ui_event(self, event: WidgetEvent) -> None:
        if event.kind == "selected":
            labels = [self._label(r) for r in self.records]
            if event.text in labels:
                self.index = labels.index(event.text)
        elif event.kind == "pressed":
            if event.element == self.replay_btn:
                self._replay()
            elif event.element == self.back_btn:
                self._back()

    def handle(self, inp: Input) -> None:
        if not isinstance(inp, Key) or not inp.down:
            return
        if inp.name == "escape":
            self._back()
        elif inp.name == "return":
            self._replay()
        elif inp.name in ("up", "down") and self.records:
            step = 1 if inp.name == "down" else -1
            self.index = max(0, min(self.index + step, len(self.records) - 1))
            self.app.ui.clear_and_reset()
            self.resize(self.app.size)

    def _back(self) -> None:
        self.go("picker")

    def _replay(self) -> None:
        """Play the selected record in the window, as it happened."""
        if not self.records:
            return
        from sim.records.replay import ReplayError, keep_scenario, parse_actions, record_scenario
        from sim.scenario.load import LoadedCase

        rec = self.records[self.index]
        try:
            sc, path = record_scenario(rec)
            actions = parse_actions(rec, sc)
            if not path.exists():  # the case changed since: keep its recorded text for a retry
                path = keep_scenario(rec, self.app.data_dir)
        except (ReplayError, OSError) as exc:
            self.message = str(exc)
            return
        self.go("playback", case=LoadedCase(path, sc, []), record=rec, actions=actions)

    def draw(self, surface) -> None:
        px = self.app.px
        w, h = self.app.size
        col = w // 2 - px(32)
        x, y = px(16), px(84)
        if not self.summaries:
            draw_lines(surface, ["No cases played yet."], (x, y), px(17))
        for s in self.summaries:
            if not self.trainee:
                draw_lines(surface, [s.trainee or "(no name)"], (x, y), px(18), bold=True)
                y += px(26)
            for c in s.cases:
                mark = "✓ goals met" if c.goals_met else "goals not yet met"
                trend = "" if c.trend is None else f"   trend {_trend(c.trend)}"
                best = "–" if c.best is None else f"{c.best:.0f}"
                for line in wrap(c.title or c.scenario_id, px(16), col, True):
                    draw_lines(surface, [line], (x, y), px(16), (255, 255, 255), True)
                    y += px(21)
                colr = (150, 230, 160) if c.goals_met else (200, 205, 215)
                draw_lines(
                    surface,
                    [f"played {c.played}   best {best}{trend}   {mark}"],
                    (x + px(12), y),
                    px(15),
                    colr,
                )
                y += px(22)
                for g in c.goal_results:
                    tone = {True: (150, 230, 160), False: (255, 190, 150)}.get(
                        g["met"], (190, 195, 205)
                    )
                    for line in wrap(goal_line(g), px(13), col - px(24)):
                        draw_lines(surface, [line], (x + px(24), y), px(13), tone)
                        y += px(17)
                y += px(8)
                if y > h - px(120):
                    break
        draw_lines(
            surface,
            ["Records (Up/Down, Enter replays in the window)"],
            (self.list_rect.x, px(52)),
            px(15),
            (255, 236, 170),
        )
        notes = [n for n in (self.problem, self.message) if n]
        if notes:
            draw_lines(surface, notes, (px(16), h - px(60)), px(15), (255, 190, 120))


def _trend(delta: float) -> str:
    """Last score minus first, with an arrow (±0 for less than half a point)."""
    if abs(delta) < 0.5:
        return "±0"
    return f"{'▲' if delta > 0 else '▼'} {delta:+.0f}"
