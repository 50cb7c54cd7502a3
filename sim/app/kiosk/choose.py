"""Before a game: choose one of the playlist's cases, then a short how-to.

Both screens are keyboard-and-mouse: ← → or the case's number, Enter or a click. Left alone for
the playlist's ``idle_reset_s``, they return to the attract loop.
"""

from __future__ import annotations

from sim.app.kiosk.i18n import t
from sim.app.kiosk.widgets import (
    AMBER,
    DIM,
    GOLD,
    PANEL,
    WHITE,
    call_to_action,
    fit_size,
    heading,
    paragraph,
    shade,
    text,
)
from sim.app.report_text import score_text
from sim.app.scene import Scene
from sim.render import canvas
from sim.render.canvas import Rect
from sim.ui.inputs import Click, Input, Key

MAX_CARDS = 3
START_KEYS = ("return", "enter", "space")
HOWTO_GUARD_S = 1.0  # keys pressed in the first second (still mashing) do not skip the how-to


class ChooseScene(Scene):
    """Up to three case cards; the highlighted one is what the attract loop was showing."""

    def __init__(self, app, index: int) -> None:
        super().__init__(app)
        n = len(app.playlist.cases)
        self.indices = [(index + k) % n for k in range(min(MAX_CARDS, n))]
        self.sel = 0
        self.cards: list[Rect] = []
        self.best = {}
        for i in self.indices:
            case_id = app.playlist.cases[i].case_id
            rows = app.store.leaderboard(case_id, board=app.board, limit=1)
            self.best[i] = rows[0] if rows else None

    def resize(self, size) -> None:
        w, h = size
        px = self.app.px
        n = len(self.indices)
        gap = px(36)
        cw = min(px(520), (w - gap * (n + 1)) // n)
        ch = int(h * 0.58)
        x0 = (w - (n * cw + (n - 1) * gap)) // 2
        self.cards = [Rect(x0 + k * (cw + gap), px(160), cw, ch) for k in range(n)]

    def handle(self, inp: Input) -> None:
        if isinstance(inp, Key) and inp.down:
            k = inp.name
            if k in ("left", "up"):
                self.sel = (self.sel - 1) % len(self.indices)
            elif k in ("right", "down", "tab"):
                self.sel = (self.sel + 1) % len(self.indices)
            elif inp.digit is not None and 1 <= inp.digit <= len(self.indices):
                self.sel = inp.digit - 1
                self._go()
            elif k in START_KEYS:
                self._go()
        elif isinstance(inp, Click) and inp.down and inp.button == 1:
            for k, rect in enumerate(self.cards):
                if rect.collidepoint(inp.pos):
                    self.sel = k
                    self._go()
                    return

    def _go(self) -> None:
        self.app.how_to(self.indices[self.sel])

    def update(self, dt: float) -> None:
        if self.app.idle_s >= self.app.playlist.spec.idle_reset_s:
            self.app.idle_reset()

    def draw(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        heading(surface, self.app, t(lang, "choose_title"), 60, 40)
        for k, (i, rect) in enumerate(zip(self.indices, self.cards, strict=True)):
            self._card(surface, k, self.app.playlist.cases[i], self.best[i], rect, k == self.sel)
        hint = t(lang, "choose_hint", n=len(self.indices))
        text(
            surface,
            hint,
            fit_size(hint, px(30), w - px(80)),
            (w // 2, h - px(60)),
            DIM,
            False,
            "midbottom",
        )

    def _card(self, surface, k, pcase, best, rect, selected: bool) -> None:
        px, lang = self.app.px, self.app.lang
        canvas.rect(surface, PANEL, rect, border_radius=px(16))
        color = GOLD if selected else shade(DIM, 0.6)
        canvas.rect(surface, color, rect, width=px(6 if selected else 2), border_radius=px(16))
        inner = rect.inflate(-px(40), -px(40))
        text(surface, str(k + 1), px(64), (inner.left, inner.top), color, True)
        y = inner.top + px(90)
        y = paragraph(
            surface,
            pcase.label,
            px(38),
            Rect(inner.left, y, inner.width, 0),
            WHITE,
            True,
            max_lines=2,
        )
        sc = pcase.scenario
        stars = "★" * sc.difficulty + "☆" * (5 - sc.difficulty)
        text(
            surface,
            t(lang, "difficulty", d=sc.difficulty) + "  " + stars,
            px(24),
            (inner.left, y + px(8)),
            AMBER,
        )
        y += px(56)
        paragraph(
            surface,
            sc.summary,
            px(26),
            Rect(inner.left, y, inner.width, 0),
            DIM,
            max_lines=5,
        )
        line = (
            t(lang, "best", who=best.trainee or "???", score=score_text(best.score))
            if best
            else t(lang, "no_best")
        )
        text(
            surface,
            line,
            fit_size(line, px(28), inner.width, True),
            (inner.left, inner.bottom),
            GOLD if best else DIM,
            True,
            "bottomleft",
        )


class HowToScene(Scene):
    """Twenty seconds of how to play; Enter, Space or a click starts the game at once."""

    def __init__(self, app, index: int) -> None:
        super().__init__(app)
        self.index = index
        self.pcase = app.playlist.cases[index]
        self.left = app.playlist.spec.howto_s
        self.age = 0.0

    def handle(self, inp: Input) -> None:
        if self.age < HOWTO_GUARD_S:
            return
        start = (isinstance(inp, Click) and inp.down) or (
            isinstance(inp, Key) and inp.down and inp.name in START_KEYS
        )
        if start:
            self.app.play(self.index)

    def update(self, dt: float) -> None:
        self.age += dt
        self.left -= dt
        if self.left <= 0:
            self.app.play(self.index)

    def draw(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        title = t(lang, "howto_title")
        text(surface, title, px(64), (w // 2, px(36)), GOLD, True, "midtop")
        text(
            surface,
            self.pcase.label,
            fit_size(self.pcase.label, px(34), w - px(80)),
            (w // 2, px(120)),
            WHITE,
            False,
            "midtop",
        )
        rows = [
            ("1", t(lang, "howto_steer")),
            ("2", t(lang, "howto_inject")),
            ("3", t(lang, "howto_stop")),
            ("4", t(lang, "howto_keys")),
        ]
        left = max(px(60), (w - px(1240)) // 2)
        width = w - 2 * left
        y = px(210)
        for num, line in rows:
            text(surface, num, px(44), (left, y - px(4)), GOLD, True)
            y = paragraph(
                surface, line, px(34), Rect(left + px(70), y, width - px(70), 0), WHITE, True
            ) + px(22)
        y += px(10)
        y = paragraph(
            surface,
            t(lang, "howto_goal"),
            px(32),
            Rect(left, y, width, 0),
            AMBER,
            True,
            center=True,
        )
        hints = self.pcase.scenario.hints
        if hints:
            paragraph(
                surface,
                "» " + hints[0],
                px(28),
                Rect(left, y + px(14), width, 0),
                DIM,
                center=True,
                max_lines=2,
            )
        start = t(lang, "howto_start", s=max(0, int(self.left + 0.999)))
        call_to_action(
            surface,
            self.app,
            start,
            (w // 2, h - px(70)),
            fit_size(start, px(34), w - px(160), True),
        )
