"""After a game: the debrief in brief (score, three numbers, one tip), then initials.

The brief debrief moves on by itself after :data:`BRIEF_S`; the initials screen waits for the
playlist's ``idle_reset_s``. A player who walks away keeps the score on the board as ``???``
(the game was played and finished; only the name is missing).
"""

from __future__ import annotations

from sim.app.kiosk.i18n import t
from sim.app.kiosk.widgets import (
    AMBER,
    DIM,
    GOLD,
    GREEN,
    PANEL,
    RED,
    WHITE,
    call_to_action,
    fit_size,
    heading,
    paragraph,
    text,
)
from sim.app.report_text import score_text
from sim.app.scene import Scene
from sim.outcome.result import Outcome
from sim.render import canvas
from sim.render.canvas import Rect
from sim.ui.inputs import Input, Key, is_any_key

BRIEF_S = 20.0  # the brief debrief's time on screen
GUARD_S = 2.5  # keys mashed at the end of a game do not skip what comes next
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TIPS = {
    "tumor_coverage": {
        "en": "Tip: get closer to the tumour, and inject until its flow slows.",
        "de": "Tipp: näher an den Tumor, und injizieren, bis sein Fluss langsamer wird.",
        "fr": "Conseil : approchez la tumeur, et injectez jusqu'au ralentissement du flux.",
    },
    "normal_liver": {
        "en": "Tip: go more selective: a smaller artery, nearer the tumour.",
        "de": "Tipp: selektiver arbeiten: ein kleineres Gefäß, näher am Tumor.",
        "fr": "Conseil : soyez plus sélectif : une artère plus petite, près de la tumeur.",
    },
    "non_target": {
        "en": "Tip: beads flowed back to other organs. Stop earlier, inject slower.",
        "de": "Tipp: Partikel flossen in andere Organe zurück. Früher aufhören, langsamer.",
        "fr": "Conseil : des billes ont reflué ailleurs. Arrêtez plus tôt, plus lentement.",
    },
    "efficiency": {
        "en": "Tip: less fluoroscopy time: know where you go before you steer.",
        "de": "Tipp: weniger Durchleuchtung: erst planen, dann steuern.",
        "fr": "Conseil : moins de scopie : sachez où aller avant de guider.",
    },
    "perfect": {
        "en": "Excellent: selective, to the endpoint, nothing off target.",
        "de": "Hervorragend: selektiv, bis zum Endpunkt, nichts daneben.",
        "fr": "Excellent : sélectif, jusqu'au point final, rien à côté.",
    },
}


def _grade(value: float, good: float, fair: float) -> tuple[int, int, int]:
    """Green at or above ``good``, amber at or above ``fair``, else red."""
    return GREEN if value >= good else AMBER if value >= fair else RED


def tip(outcome: Outcome, lang: str) -> str:
    """The one thing to do better: the score component that lost the most points."""
    worst, lost = "perfect", 1.0
    for c in outcome.components:
        if c.name in TIPS and c.max - c.points > lost:
            worst, lost = c.name, c.max - c.points
    return TIPS[worst].get(lang, TIPS[worst]["en"])


class BriefDebriefScene(Scene):
    """The score, tumour treated, healthy liver injured, off target, and one tip."""

    def __init__(self, app, pcase, outcome: Outcome, result, image, timed_out: bool) -> None:
        super().__init__(app)
        self.pcase, self.out, self.result = pcase, outcome, result
        self.image, self.timed_out = image, timed_out
        self._scaled: tuple[tuple[int, int], object] | None = None  # (box size, image)
        self.age = 0.0

    def _next(self) -> None:
        self.app.ask_initials(self.pcase, self.result)

    def handle(self, inp: Input) -> None:
        if self.age < GUARD_S:
            return
        if is_any_key(inp):
            self._next()

    def update(self, dt: float) -> None:
        self.age += dt
        if self.age >= BRIEF_S:
            self._next()

    def draw(self, surface) -> None:
        px, lang, o = self.app.px, self.app.lang, self.out
        w, h = self.app.size
        col = Rect(px(60), px(40), int(w * 0.5) - px(60), h - px(80))
        y = col.top
        if self.timed_out:
            text(surface, t(lang, "time_up"), px(40), (col.left, y), RED, True)
            y += px(56)
        text(surface, t(lang, "your_score"), px(44), (col.left, y), DIM, True)
        y += px(50)
        score = score_text(o.score)
        r = text(surface, score, px(170), (col.left, y), GOLD, True)
        text(
            surface, "/ 100", px(48), (r.right + px(16), r.bottom - px(36)), DIM, True, "bottomleft"
        )
        y = r.bottom + px(20)
        off = o.non_target_fraction
        off_text = t(lang, "none") if off <= 0 else f"{100 * off:.1f} %"
        cov, hurt = o.tumor_coverage, o.normal_liver.damage
        rows = [
            (t(lang, "tumor_treated"), f"{100 * cov:.0f} %", _grade(cov, 0.7, 0.3)),
            (t(lang, "liver_hurt"), f"{100 * hurt:.1f} %", _grade(-hurt, -0.05, -0.15)),
            (t(lang, "off_target"), off_text, _grade(-off, -0.001, -0.01)),
        ]
        for label, value, color in rows:
            text(surface, label, px(36), (col.left, y), WHITE)
            text(surface, value, px(40), (col.right, y - px(2)), color, True, "topright")
            y += px(60)
        y += px(16)
        paragraph(
            surface,
            tip(o, lang),
            px(32),
            Rect(col.left, y, col.width, 0),
            AMBER,
            True,
            max_lines=3,
        )
        if self.image is not None:
            box = Rect(col.right + px(60), px(40), w - col.right - px(120), h - px(200))
            if self._scaled is None or self._scaled[0] != box.size:  # scaled once per size
                iw, ih = self.image.get_size()
                k = min(box.width / iw, box.height / ih)
                img = canvas.scale(self.image, (int(iw * k), int(ih * k)))
                self._scaled = (box.size, img)
            img = self._scaled[1]
            surface.blit(img, img.get_rect(midtop=box.midtop))
        if self.age >= GUARD_S:
            msg = t(lang, "to_initials")
            call_to_action(
                surface,
                self.app,
                msg,
                (int(w * 0.75), h - px(80)),
                fit_size(msg, px(32), int(w * 0.45), True),
            )


class InitialsScene(Scene):
    """Three letters, A–Z, keyboard only: type them, or ↑ ↓ to change and ← → to move."""

    def __init__(self, app, pcase, result) -> None:
        super().__init__(app)
        self.pcase, self.result = pcase, result
        self.letters = ["A", "A", "A"]
        self.pos = 0
        self.age = 0.0

    def handle(self, inp: Input) -> None:
        if not isinstance(inp, Key) or not inp.down or self.age < GUARD_S / 2:
            return
        k = inp.name
        if inp.letter is not None:  # key names follow the keyboard's layout
            self.letters[self.pos] = inp.letter
            self.pos = min(self.pos + 1, 2)
        elif k in ("up", "down"):
            i = LETTERS.index(self.letters[self.pos]) + (1 if k == "up" else -1)
            self.letters[self.pos] = LETTERS[i % len(LETTERS)]
        elif k in ("left", "backspace"):
            self.pos = max(self.pos - 1, 0)
        elif k == "right":
            self.pos = min(self.pos + 1, 2)
        elif k in ("return", "enter"):
            self.app.save_initials(self.result, "".join(self.letters))

    def update(self, dt: float) -> None:
        self.age += dt
        if self.app.idle_s >= self.app.playlist.spec.idle_reset_s:
            self.app.idle_reset()  # the score stays on the board as ???

    def draw(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        heading(surface, self.app, t(lang, "initials_title"), 56, 50)
        line = t(lang, "score_on", score=score_text(self.result.score), case=self.pcase.label)
        text(
            surface,
            line,
            fit_size(line, px(36), w - px(80)),
            (w // 2, px(140)),
            WHITE,
            False,
            "midtop",
        )
        bw, gap = px(190), px(40)
        x0 = (w - (3 * bw + 2 * gap)) // 2
        top = px(240)
        blink = int(self.app.clock_s * 2) % 2 == 0
        for i, ch in enumerate(self.letters):
            box = Rect(x0 + i * (bw + gap), top, bw, int(bw * 1.3))
            canvas.rect(surface, PANEL, box, border_radius=px(14))
            active = i == self.pos
            edge = GOLD if active and blink else DIM
            canvas.rect(surface, edge, box, width=px(6 if active else 2), border_radius=px(14))
            text(surface, ch, px(170), box.center, WHITE, True, "center")
            if active:
                text(surface, "▲", px(40), (box.centerx, box.top - px(6)), GOLD, True, "midbottom")
                text(surface, "▼", px(40), (box.centerx, box.bottom + px(6)), GOLD, True, "midtop")
        hint = t(lang, "initials_hint")
        text(
            surface,
            hint,
            fit_size(hint, px(32), w - px(80)),
            (w // 2, h - px(70)),
            DIM,
            False,
            "midbottom",
        )
