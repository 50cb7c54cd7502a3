"""The leaderboard between games: one board per difficulty (cases of different difficulty
are never ranked together), each with the expert's score as a row to beat, and the best three
of each case.

Rows come from the record store (``RecordStore.leaderboard``), so what the board shows is what
survives a crash or a power cycle; the expert's rows from :mod:`sim.app.kiosk.expert`. A
player's fresh entry is highlighted. The store's notice (a damaged database moved aside) is
shown at the bottom for the host.
"""

from __future__ import annotations

from sim.app.kiosk import expert
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
from sim.app.report_text import score_text
from sim.app.scene import Scene
from sim.render import canvas
from sim.render.canvas import Rect
from sim.ui.inputs import Input, is_any_key

BOARD_S = 14.0  # on screen this long, then the attract loop goes on
GUARD_S = 1.5  # keys in the first moments (the last player still typing) do not start a game
OVERALL_ROWS = 10
BOARD_ROWS_READ = 10**6  # every game since the reset: the difficulty boards rank them all
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
        self.everyone = store.leaderboard(None, board=board, limit=BOARD_ROWS_READ)
        expert.compute_missing(self.app.playlist.cases)
        cases = self.app.playlist.cases[:MAX_CASE_BOARDS]
        self.by_case = [
            (c.label, store.leaderboard(c.case_id, board=board, limit=CASE_ROWS)) for c in cases
        ]
        self.labels = {c.case_id: c.label for c in self.app.playlist.cases}

    def difficulty_boards(self) -> list[tuple[int, list[tuple[str, float, str, int | None]]]]:
        """Per difficulty (easiest first): (initials, score, case id, record id) rows, best
        first, the expert's row of each of its cases ranked among them (initials
        ``"EXPERT"``, record id None; left out while its score is being computed)."""
        out = []
        levels = sorted({c.scenario.difficulty for c in self.app.playlist.cases})
        for d in levels:
            cases = [c for c in self.app.playlist.cases if c.scenario.difficulty == d]
            ids = {c.case_id for c in cases}
            rows = [
                (e.trainee or "???", e.score, e.scenario_id, e.record_id)
                for e in self.everyone
                if e.scenario_id in ids
            ]
            for c in cases:
                known = expert.score(c)
                if known is not None:
                    rows.append((t(self.app.lang, "expert"), known, c.case_id, None))
            rows.sort(key=lambda r: (-r[1], r[3] is not None))  # the expert first on a tie
            out.append((d, rows))
        return out

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
        self._difficulty_boards(surface, left)
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

    def _difficulty_boards(self, surface, rect: Rect) -> None:
        """One panel per difficulty, stacked: its best rows with the expert's among them."""
        px, lang = self.app.px, self.app.lang
        boards = self.difficulty_boards()
        gap = px(12)
        block_h = (rect.height - gap * (len(boards) - 1)) // max(1, len(boards))
        for k, (d, rows) in enumerate(boards):
            box = Rect(rect.left, rect.top + k * (block_h + gap), rect.width, block_h)
            canvas.rect(surface, PANEL, box, border_radius=px(14))
            inner = box.inflate(-px(36), -px(20))
            head = t(lang, "difficulty", d=d) + "  " + "★" * d + "☆" * (5 - d)
            size = min(px(34), max(8, inner.height // 6))
            text(surface, head, fit_size(head, size, inner.width, True), inner.topleft, AMBER, True)
            y = inner.top + int(size * 1.35)
            fit = max(1, (inner.bottom - y) // int(size * 1.2))
            if not rows:
                text(surface, t(lang, "board_empty"), int(size * 0.8), (inner.left, y), DIM)
            for rank, row in self._rows_to_show(rows, fit):
                self._board_row(surface, inner, y, size, rank, row)
                y += int(size * 1.2)

    def _rows_to_show(self, rows, fit: int) -> list[tuple[int, tuple]]:
        """(rank, row) of the best ``fit`` rows, the expert's and the highlighted game's kept
        in sight (in place of the last rows above them)."""
        keep = [i for i, r in enumerate(rows) if r[3] is None or r[3] == self.highlight]
        shown = list(range(min(fit, len(rows))))
        for i in keep:
            if i not in shown:
                others = [j for j in shown if j not in keep]
                if len(shown) >= fit and others:
                    shown.remove(others[-1])
                shown.append(i)
        return [(i + 1, rows[i]) for i in sorted(shown)]

    def _board_row(self, surface, inner: Rect, y: int, size: int, rank: int, row) -> None:
        px = self.app.px
        who, score, case_id, record_id = row
        is_expert, mine = record_id is None, record_id is not None and record_id == self.highlight
        if mine:
            band = Rect(inner.left - px(10), y - px(4), inner.width + px(20), size + px(8))
            canvas.rect(surface, (90, 70, 20), band, border_radius=px(8))
        color = (120, 200, 255) if is_expert else GOLD if mine or rank <= 3 else WHITE
        text(surface, f"{rank}.", size, (inner.left + int(size * 1.6), y), color, True, "topright")
        score_x = inner.left + int(size * 10.0)
        name_x = inner.left + int(size * 2.0)
        name_size = fit_size(who, size, score_x - int(size * 3.4) - name_x, bold=True)
        text(surface, who, name_size, (name_x, y + (size - name_size) // 2), color, True)
        text(surface, score_text(score), size, (score_x, y), color, True, "topright")
        label = self.labels.get(case_id, case_id)
        room = inner.right - score_x - px(20)
        if room > px(40):
            small = fit_size(label, int(size * 0.75), room)
            text(surface, label, small, (score_x + px(20), y + int(size * 0.15)), DIM)

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
                text(surface, score_text(e.score), size, (inner.right, yy), color, True, "topright")
                yy += int(size * 1.25)
            y += block_h + px(12)
