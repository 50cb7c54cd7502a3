"""The leaderboard between games: the top ten overall and the best three of each case.

Rows come from the record store (``RecordStore.leaderboard``), so what the board shows is what
survives a crash or a power cycle. A player's fresh entry is highlighted. The store's notice
(a damaged database moved aside) is shown at the bottom for the host.
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
    text,
)
from sim.app.scene import Scene
from sim.render import canvas
from sim.render.canvas import Rect
from sim.ui.inputs import Input, is_any_key

BOARD_S = 14.0  # on screen this long, then the attract loop goes on
GUARD_S = 1.5  # keys in the first moments (the last player still typing) do not start a game
OVERALL_ROWS = 10
CASE_ROWS = 3
MAX_CASE_BOARDS = 4


class LeaderboardScene(Scene):
    """The board. ``highlight``: a record id to mark; ``hold``: stay until a key (after errors).

    Parameters
    ----------
    app : KioskApp
    highlight : int, optional
        Record id of the entry just named.
    hold : bool
        Do not move on by itself (the kiosk shows this while it recovers from repeated errors).
    """

    def __init__(self, app, highlight: int | None = None, hold: bool = False) -> None:
        super().__init__(app)
        self.highlight = highlight
        self.hold = hold
        self.age = 0.0
        self.refresh()

    def refresh(self) -> None:
        """Read the rows from the store (after a game, or after the instructor's reset)."""
        store, board = self.app.store, self.app.board
        self.overall = store.leaderboard(None, board=board, limit=OVERALL_ROWS)
        cases = self.app.playlist.cases[:MAX_CASE_BOARDS]
        self.by_case = [
            (c.label, store.leaderboard(c.case_id, board=board, limit=CASE_ROWS)) for c in cases
        ]
        self.labels = {c.case_id: c.label for c in self.app.playlist.cases}
        self.mine = None  # (rank, entry) of the highlighted game when it is below the top ten
        if self.highlight is not None and all(e.record_id != self.highlight for e in self.overall):
            everyone = store.leaderboard(None, board=board, limit=10**6)
            for rank, e in enumerate(everyone, start=1):
                if e.record_id == self.highlight:
                    self.mine = (rank, e)

    def shown_rows(self) -> list[tuple[str, int, str]]:
        """(initials, score, case id) of the overall rows as displayed (for tests and checks)."""
        return [(e.trainee or "???", round(e.score), e.scenario_id) for e in self.overall]

    def handle(self, inp: Input) -> None:
        if self.age < GUARD_S:
            return
        if is_any_key(inp):
            self.app.start_game()

    def update(self, dt: float) -> None:
        self.age += dt
        if not self.hold and self.age >= BOARD_S:
            self.app.go_attract()

    def draw(self, surface) -> None:
        px, lang = self.app.px, self.app.lang
        w, h = self.app.size
        heading(surface, self.app, self.app.playlist.spec.title, 60, 28)
        left = Rect(px(50), px(120), int(w * 0.56) - px(70), h - px(250))
        right = Rect(left.right + px(50), left.top, w - left.right - px(100), left.height)
        self._overall(surface, left)
        self._cases(surface, right)
        cta = t(lang, "press_to_play")
        call_to_action(
            surface, self.app, cta, (w // 2, h - px(70)), fit_size(cta, px(34), w - px(200), True)
        )
        notice = self.app.store.notice
        if notice:
            paragraph(
                surface,
                notice.splitlines()[-1],
                px(18),
                Rect(px(20), h - px(26), w - px(40), 0),
                AMBER,
                max_lines=1,
            )

    def _overall(self, surface, rect: Rect) -> None:
        px, lang = self.app.px, self.app.lang
        canvas.rect(surface, PANEL, rect, border_radius=px(14))
        inner = rect.inflate(-px(40), -px(30))
        text(surface, t(lang, "overall"), px(40), inner.topleft, WHITE, True)
        y = inner.top + px(58)
        if not self.overall:
            paragraph(
                surface,
                t(lang, "board_empty"),
                px(34),
                Rect(inner.left, y + px(40), inner.width, 0),
                DIM,
                center=True,
            )
            return
        row_h = min(px(54), (inner.bottom - y) // (OVERALL_ROWS + 1))
        size = int(row_h * 0.72)
        for rank, e in enumerate(self.overall, start=1):
            mine = e.record_id == self.highlight
            if mine:
                canvas.rect(
                    surface,
                    (90, 70, 20),
                    Rect(inner.left - px(10), y - px(4), inner.width + px(20), row_h),
                    border_radius=px(8),
                )
            color = GOLD if rank <= 3 or mine else WHITE
            text(surface, f"{rank}.", size, (inner.left + px(70), y), color, True, "topright")
            text(surface, e.trainee or "???", size, (inner.left + px(95), y), color, True)
            text(
                surface, f"{e.score:.0f}", size, (inner.left + px(300), y), color, True, "topright"
            )
            label = self.labels.get(e.scenario_id, e.scenario_id)
            room = inner.right - (inner.left + px(330))
            text(
                surface,
                label,
                fit_size(label, int(size * 0.75), room),
                (inner.left + px(330), y + int(size * 0.15)),
                DIM,
            )
            y += row_h
        if self.mine is not None:
            rank, e = self.mine
            row = Rect(inner.left - px(10), y + px(6), inner.width + px(20), row_h)
            canvas.rect(surface, (90, 70, 20), row, border_radius=px(8))
            text(
                surface,
                f"{rank}.  {e.trainee or '???'}   {e.score:.0f}",
                size,
                (inner.left + px(20), y + px(10)),
                GOLD,
                True,
            )

    def _cases(self, surface, rect: Rect) -> None:
        px = self.app.px
        n = max(1, len(self.by_case))
        block_h = rect.height // n - px(12)
        y = rect.top
        for label, rows in self.by_case:
            box = Rect(rect.left, y, rect.width, block_h)
            canvas.rect(surface, PANEL, box, border_radius=px(14))
            inner = box.inflate(-px(36), -px(20))
            size = min(px(32), block_h // 5)
            text(
                surface, label, fit_size(label, size, inner.width, True), inner.topleft, AMBER, True
            )
            yy = inner.top + int(size * 1.35)
            if not rows:
                text(surface, "—", size, (inner.left, yy), DIM)
            for rank, e in enumerate(rows, start=1):
                mine = e.record_id == self.highlight
                color = GOLD if mine else WHITE
                text(surface, f"{rank}. {e.trainee or '???'}", size, (inner.left, yy), color, True)
                text(surface, f"{e.score:.0f}", size, (inner.right, yy), color, True, "topright")
                yy += int(size * 1.25)
            y += block_h + px(12)
