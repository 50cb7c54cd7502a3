"""The procedure screen: fluoroscopy viewport, control panel, live counters, events.

Every control turns into an engine action (``Procedure.apply``); the physics advances in fixed
steps fed by real time × the time scale, capped per frame (a "running slowly" flag shows when
the machine cannot keep up). Drawing never changes the simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UIHorizontalSlider, UILabel

from sim.actions import Finish, Navigate, SelectAgent, SetInjection, StartContrast
from sim.agents import AGENTS
from sim.app.window import App, Scene
from sim.engine.navigation import NavigationError
from sim.engine.procedure import DT, Procedure
from sim.outcome.result import Outcome
from sim.render.fonts import font
from sim.render.text import draw_lines
from sim.scenario.load import LoadedCase

MAX_STEPS_PER_FRAME = 12
SPEEDS = (1.0, 2.0, 4.0)
RATE_SPAN = (0.5, 10.0)  # mL/min, the rate slider
KEY_COMMANDS = {
    pygame.K_c: "contrast",
    pygame.K_d: "dsa",
    pygame.K_r: "roadmap",
    pygame.K_t: "teaching",
    pygame.K_p: "pause",
    pygame.K_s: "speed",
    pygame.K_h: "help",
    pygame.K_f: "finish",
    pygame.K_a: "next_agent",
    pygame.K_z: "next_size",
    pygame.K_LEFTBRACKET: "rate_down",
    pygame.K_RIGHTBRACKET: "rate_up",
    pygame.K_COMMA: "setting0_down",
    pygame.K_PERIOD: "setting0_up",
    pygame.K_SEMICOLON: "setting1_down",
    pygame.K_QUOTE: "setting1_up",
}
HELP = [
    ("Click a vessel", "move the catheter there"),
    ("Up / Down", "advance / pull back one segment"),
    ("Left / Right", "choose the branch at the next fork"),
    ("A   Z", "next agent / next particle size"),
    ("[   ]", "injection rate down / up"),
    (",  .     ;  '", "agent settings (activity, loading, emulsion)"),
    ("Space (hold), Inject", "inject the prepared agent"),
    ("C", "contrast run"),
    ("D   R   T", "DSA / roadmap / teaching overlay"),
    ("P   S", "pause / time scale 1x 2x 4x"),
    ("F", "finish the case (debrief)"),
    ("F11   H   Esc", "fullscreen / this help / leave"),
]


@dataclass(frozen=True)
class Setting:
    """One setting of the prepared agent: a ``SelectAgent`` field shown as a labelled slider.

    ``window_default`` is applied when the agent is chosen in the window (None: the engine's).
    """

    field: str
    span: tuple[float, float]
    step: float
    text: Callable[[float], str]
    window_default: float | None = None


_ACTIVITY = Setting("activity_gbq", (0.2, 6.0), 0.1, lambda v: f"Activity {v:.1f} GBq")
AGENT_SETTINGS: dict[str, tuple[Setting, ...]] = {
    "y90_resin": (_ACTIVITY,),
    "y90_glass": (_ACTIVITY,),
    "deb": (
        Setting(
            "doxorubicin_mg_ml", (25.0, 37.5), 12.5, lambda v: f"Doxorubicin {v:g} mg/mL beads"
        ),
    ),
    "lipiodol": (
        # 2–20 mL lipiodol per cTACE (protocol example, reference §3.3); 10 mL drawn up (U)
        Setting("emulsion_ml", (2.0, 20.0), 1.0, lambda v: f"Emulsion drawn up {v:g} mL", 10.0),
        Setting("oil_ratio", (1.0, 3.0), 1.0, lambda v: f"Drug : lipiodol  1 : {v:g}"),
    ),
}


class ProcedureScene(Scene):
    """A case in progress, recorded as it happens (``RECORD_MODE``; None: not recorded)."""

    RECORD_MODE: str | None = "window"
    START_AT: str | None = "CHA"  # where the catheter waits when the case opens (None: aorta)
    PREPARE_FIRST_AGENT = True  # the case's first agent is ready in the panel

    def __init__(self, app: App, case: LoadedCase, seed: int | None = None) -> None:
        super().__init__(app)
        self.case = case
        self.proc = Procedure(case.scenario, seed)
        self.record = self._begin_record()
        self.view = None
        self.acc = 0.0
        self.speed_i = 0
        self.paused = False
        self.slow = False
        self.injecting = False
        self.mode = "fluoro"
        self.roadmap = False
        self.teaching = False
        self.show_help = False
        self.confirm_leave = False
        self.message = ""
        self.message_t = 0.0
        self.branch_i = 0
        self.rate_ml_min = 2.0
        self.frame_i = 0
        opts = case.scenario.agents_available
        self.agent_ids = [o.agent for o in opts]
        if self.PREPARE_FIRST_AGENT:
            first = opts[0]
            self._select(first.agent, (first.sizes_um or [None])[0])
        if self.START_AT:
            self.proc.apply(Navigate(target=self.START_AT))

    # ------------------------------------------------------------------ record
    def _begin_record(self):
        """Start the live record (None when not recorded or the store is unavailable)."""
        store = self.app.records if self.RECORD_MODE else None
        if store is None:
            return None
        try:
            return store.begin(
                trainee=self.app.settings.get("trainee", "") or "",
                scenario_path=self.case.path,
                seed=self.proc.seed,
                mode=self.RECORD_MODE,
            )
        except Exception as exc:  # never lose the session over the records
            self.app.records_problem = f"this case is not being saved: {exc}"
            return None

    def _record(self, how: str, outcome: Outcome | None = None) -> None:
        """Sync, finish or abandon the live record; a failing disk is reported, not raised."""
        if self.record is None:
            return
        try:
            if how == "sync":
                self.record.sync(self.proc)
            elif how == "finish":
                self.record.finish(self.proc, outcome.to_dict())
                self.record = None
            else:
                self.record.abandon(self.proc)
                self.record = None
        except Exception as exc:
            self._say(f"Could not save the record: {exc}")
            self.record = None

    def leave(self) -> None:
        """Leaving a case unfinished saves it as abandoned (replayable to where it stopped)."""
        self._stop_injection()
        self._record("abandon")

    # ------------------------------------------------------------------ layout
    def resize(self, size) -> None:
        self._layout(size, max(self.app.px(330), 300))

    def _layout(self, size, panel_w: int) -> None:
        """The fluoroscopy view left of a side panel ``panel_w`` pixels wide."""
        from sim.render.fluoro import FluoroView

        w, h = size
        self.panel_w = panel_w
        self.view_rect = pygame.Rect(0, 0, w - self.panel_w, h)
        if self.view is None:
            self.view = FluoroView(self.proc, self.view_rect.size)
        else:
            self.view.resize(self.view_rect.size)
        self._build_panel()

    def _build_panel(self) -> None:
        ui = self.app.ui
        ui.clear_and_reset()
        px = self.app.px
        x0 = self.view_rect.right + px(12)
        wd = self.panel_w - px(24)
        row = px(34)
        y = px(12)
        UILabel(pygame.Rect(x0, y, wd, row), "Agent", ui)
        y += row
        agent = self.proc.agent.agent
        if agent not in self.agent_ids:  # nothing prepared yet (an autoplay before its first agent)
            agent = self.agent_ids[0]
        self.agent_menu = UIDropDownMenu(self.agent_ids, agent, pygame.Rect(x0, y, wd, row), ui)
        y += row + px(6)
        sizes = self._sizes(agent)
        cur = self._size_text(self.proc.agent.size_um)
        self.size_menu = UIDropDownMenu(
            sizes, cur if cur in sizes else sizes[0], pygame.Rect(x0, y, wd, row), ui
        )
        y += row + px(6)
        self.setting_ui: list[tuple[Setting, UILabel, UIHorizontalSlider]] = []
        for st in AGENT_SETTINGS.get(agent, ()):
            v = self._setting_value(st)
            label, slider, y = self._slider(x0, y, wd, st.text(v), v, st.span, st.step)
            self.setting_ui.append((st, label, slider))
        self.rate_label, self.rate_slider, y = self._slider(
            x0, y + px(4), wd, self._rate_text(), self.rate_ml_min, RATE_SPAN, 0.5
        )
        y += px(6)
        half = (wd - px(8)) // 2
        self.inject_btn = UIButton(pygame.Rect(x0, y, half, row * 1.3), "Inject (hold)", ui)
        self.contrast_btn = UIButton(
            pygame.Rect(x0 + half + px(8), y, half, row * 1.3), "Contrast (C)", ui
        )
        y += int(row * 1.3) + px(8)
        third = (wd - px(16)) // 3
        self.dsa_btn = UIButton(pygame.Rect(x0, y, third, row), "DSA", ui)
        self.road_btn = UIButton(pygame.Rect(x0 + third + px(8), y, third, row), "Roadmap", ui)
        self.teach_btn = UIButton(
            pygame.Rect(x0 + 2 * (third + px(8)), y, third, row), "Teaching", ui
        )
        y += row + px(8)
        self.pause_btn = UIButton(pygame.Rect(x0, y, third, row), "Pause", ui)
        self.speed_btn = UIButton(
            pygame.Rect(x0 + third + px(8), y, third, row), f"{SPEEDS[self.speed_i]:g}x", ui
        )
        self.help_btn = UIButton(pygame.Rect(x0 + 2 * (third + px(8)), y, third, row), "Help", ui)
        y += row + px(8)
        self.finish_btn = UIButton(
            pygame.Rect(x0, y, wd, row * 1.2), "Finish case (F)", ui, object_id="#danger"
        )
        self.counters_y = y + int(row * 1.2) + px(12)

    def _slider(self, x, y, w, text, value, span, step):
        """A label over a slider; returns both and the y below them."""
        row = self.app.px(34)
        label = UILabel(pygame.Rect(x, y, w, row), text, self.app.ui)
        slider = UIHorizontalSlider(
            pygame.Rect(x, y + row, w, row), value, span, self.app.ui, click_increment=step
        )
        return label, slider, y + 2 * row + self.app.px(4)

    def _sizes(self, agent: str) -> list[str]:
        opt = next(o for o in self.case.scenario.agents_available if o.agent == agent)
        menu = opt.sizes_um or list(AGENTS[agent].sizes_um)
        return [self._size_text(s) for s in menu]

    @staticmethod
    def _size_text(s) -> str:
        return f"{s[0]:g}–{s[1]:g} µm"

    def _rate_text(self) -> str:
        return f"Rate {self.rate_ml_min:.1f} mL/min"

    # ------------------------------------------------------------------ actions
    def _select(self, agent: str, size, **settings) -> None:
        """Prepare ``agent`` (the window's defaults for settings not given)."""
        self._stop_injection()
        for st in AGENT_SETTINGS.get(agent, ()):
            if st.field not in settings and st.window_default is not None:
                settings[st.field] = st.window_default
        self.proc.apply(SelectAgent(agent=agent, size_um=size, **settings))

    def _setting_value(self, st: Setting) -> float:
        ag = self.proc.agent
        v = getattr(ag, st.field)
        return float(v if v is not None else st.window_default or st.span[0])

    def _change_setting(self, i: int, value: float) -> None:
        """Set agent setting ``i`` (snapped to its step and span) and re-prepare the agent."""
        if i >= len(self.setting_ui):
            return
        st, label, slider = self.setting_ui[i]
        lo, hi = st.span
        v = min(max(lo + round((value - lo) / st.step) * st.step, lo), hi)
        ag = self.proc.agent
        current = {s.field: self._setting_value(s) for s, _, _ in self.setting_ui}
        current[st.field] = v
        self._select(ag.agent, ag.size_um, **current)
        label.set_text(st.text(v))
        if abs(slider.get_current_value() - v) > 1e-9:
            slider.set_current_value(v)

    def _set_rate(self, rate: float) -> None:
        self.rate_ml_min = min(max(round(rate * 2) / 2, RATE_SPAN[0]), RATE_SPAN[1])
        self.rate_label.set_text(self._rate_text())
        if abs(self.rate_slider.get_current_value() - self.rate_ml_min) > 1e-9:
            self.rate_slider.set_current_value(self.rate_ml_min)
        if self.injecting:
            self.proc.apply(SetInjection(rate_ml_min=self.rate_ml_min))

    def _cycle_agent(self) -> None:
        i = (
            self.agent_ids.index(self.proc.agent.agent)
            if self.proc.agent.agent in self.agent_ids
            else -1
        )
        agent = self.agent_ids[(i + 1) % len(self.agent_ids)]
        self._select(agent, None)
        self._build_panel()
        self._say(f"Agent: {AGENTS[agent].name}")

    def _cycle_size(self) -> None:
        ag = self.proc.agent
        sizes = self._sizes(ag.agent)
        cur = self._size_text(ag.size_um)
        nxt = sizes[(sizes.index(cur) + 1) % len(sizes)] if cur in sizes else sizes[0]
        lo, hi = nxt.replace(" µm", "").split("–")
        current = {s.field: self._setting_value(s) for s, _, _ in self.setting_ui}
        self._select(ag.agent, (float(lo), float(hi)), **current)
        self._build_panel()
        self._say(f"Size: {nxt}")

    def _navigate(self, target: str) -> None:
        if self.injecting:
            self._stop_injection()
        try:
            self.proc.apply(Navigate(target=target))
            last = self.proc.events[-1]
            if last.kind == "wedge":
                self._say(last.detail)
        except NavigationError as exc:
            self._say(str(exc))

    def _start_injection(self) -> None:
        if not self.injecting and not self.proc.finished:
            self.injecting = True
            self.proc.apply(SetInjection(rate_ml_min=self.rate_ml_min))

    def _stop_injection(self) -> None:
        if self.injecting:
            self.injecting = False
            self.proc.apply(SetInjection(rate_ml_min=0.0))

    def _contrast(self) -> None:
        if self.proc.contrast_m3_s == 0 and not self.proc.finished:
            self.proc.apply(StartContrast(volume_ml=3.0, rate_ml_s=1.0))

    def finish_case(self) -> tuple[Outcome, int | None]:
        """Stop injecting, finish the case, assess it and close its record.

        Returns the outcome and the record id (None when not recorded). Scenes that show their
        own ending (the kiosk's brief debrief) call this instead of :meth:`_finish`.
        """
        from sim.engine.final import assess_procedure

        self._stop_injection()
        self.proc.apply(Finish())
        outcome = assess_procedure(self.proc)
        record_id = self.record.id if self.record is not None else None
        self._record("finish", outcome)
        return outcome, record_id

    def _finish(self) -> None:
        """Finish and open the debrief, with the first and last angiograms as the trainee saw
        them (drawn before the catheter is withdrawn)."""
        from sim.app.scenes.debrief import DebriefScene

        self._stop_injection()
        before = self.view.render(self._first_run_peak(), mode="dsa") if self.view else None
        after = None
        if self.proc.contrast_runs and self.view is not None:
            run = self.proc.contrast_runs[-1]
            after = self.view.render(run.t0 + min(run.duration, 2.0), mode="dsa")
        outcome, record_id = self.finish_case()
        self.app.switch(
            DebriefScene(self.app, self.case, self.proc, before, after, outcome, record_id)
        )

    def _first_run_peak(self) -> float:
        runs = self.proc.contrast_runs
        return runs[0].t0 + min(runs[0].duration, 2.0) if runs else self.proc.t

    def _command(self, name: str) -> None:
        """One place for what keys and buttons do."""
        if name == "contrast":
            self._contrast()
        elif name == "dsa":
            self.mode = "dsa" if self.mode == "fluoro" else "fluoro"
        elif name == "roadmap":
            self.roadmap = not self.roadmap
        elif name == "teaching":
            self.teaching = not self.teaching
        elif name == "pause":
            self.paused = not self.paused
        elif name == "speed":
            self.speed_i = (self.speed_i + 1) % len(SPEEDS)
            self.speed_btn.set_text(f"{SPEEDS[self.speed_i]:g}x")
        elif name == "help":
            self.show_help = not self.show_help
        elif name == "finish":
            self._finish()
        elif name == "next_agent":
            self._cycle_agent()
        elif name == "next_size":
            self._cycle_size()
        elif name in ("rate_down", "rate_up"):
            self._set_rate(self.rate_ml_min + (0.5 if name == "rate_up" else -0.5))
        elif name.startswith("setting"):
            i = int(name[7])
            if i < len(self.setting_ui):
                st = self.setting_ui[i][0]
                sign = 1.0 if name.endswith("_up") else -1.0
                self._change_setting(i, self._setting_value(st) + sign * st.step)

    def _say(self, text: str) -> None:
        self.message, self.message_t = text, 4.0

    def _advance(self, step: int) -> None:
        c = self.proc.c
        tip = self.proc.flow.tip
        if step < 0:
            pe = c.parent_edge[tip]
            up = c.edge_from[pe] if pe >= 0 else -1
            if up > 0 and c.parent_edge[up] >= 0:
                self._navigate(f"#{c.parent_edge[up]}")
            return
        kids = [e for e in c.children[tip] if not c.is_bed[e]]
        if kids:
            self._navigate(f"#{kids[self.branch_i % len(kids)]}")
            self.branch_i = 0

    # ------------------------------------------------------------------ events
    def request_quit(self) -> bool:
        self.confirm_leave = True
        return False

    def handle(self, event) -> None:
        if self.confirm_leave:
            if event.type == pygame.KEYDOWN and event.key in (pygame.K_y, pygame.K_RETURN):
                from sim.app.scenes.picker import PickerScene

                self._stop_injection()
                self.app.switch(PickerScene(self.app))
            elif event.type == pygame.KEYDOWN:
                self.confirm_leave = False
            return
        if event.type == pygame.KEYDOWN:
            k = event.key
            if k == pygame.K_SPACE:
                self._start_injection()
            elif k in KEY_COMMANDS:
                self._command(KEY_COMMANDS[k])
            elif k == pygame.K_ESCAPE:
                self.confirm_leave = True
            elif k == pygame.K_UP:
                self._advance(+1)
            elif k == pygame.K_DOWN:
                self._advance(-1)
            elif k in (pygame.K_LEFT, pygame.K_RIGHT):
                self.branch_i += 1 if k == pygame.K_RIGHT else -1
        elif event.type == pygame.KEYUP and event.key == pygame.K_SPACE:
            self._stop_injection()
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            if self.view_rect.collidepoint(event.pos) and self.view is not None:
                e = self.view.pick(event.pos)
                if e is not None:
                    self._navigate(f"#{e}")
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1:
            self._stop_injection()

    def ui_event(self, event) -> None:
        if event.type == pygame_gui.UI_BUTTON_START_PRESS and event.ui_element == self.inject_btn:
            self._start_injection()
        elif event.type == pygame_gui.UI_BUTTON_PRESSED:
            if event.ui_element == self.inject_btn:
                self._stop_injection()
            else:
                buttons = {
                    self.contrast_btn: "contrast",
                    self.dsa_btn: "dsa",
                    self.road_btn: "roadmap",
                    self.teach_btn: "teaching",
                    self.pause_btn: "pause",
                    self.speed_btn: "speed",
                    self.help_btn: "help",
                    self.finish_btn: "finish",
                }
                if event.ui_element in buttons:
                    self._command(buttons[event.ui_element])
        elif event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            if event.ui_element == self.agent_menu:
                agent = event.text
                self._select(agent, None)
                self._build_panel()
            elif event.ui_element == self.size_menu:
                lo, hi = event.text.replace(" µm", "").split("–")
                current = {s.field: self._setting_value(s) for s, _, _ in self.setting_ui}
                self._select(self.proc.agent.agent, (float(lo), float(hi)), **current)
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            if event.ui_element is self.rate_slider:
                self._set_rate(float(event.value))
            for i, (_, _, slider) in enumerate(self.setting_ui):
                if event.ui_element is slider:
                    self._change_setting(i, float(event.value))

    # ------------------------------------------------------------------ loop
    def update(self, dt: float) -> None:
        self.message_t = max(0.0, self.message_t - dt)
        if self.paused or self.proc.finished:
            return
        self.acc += min(dt, 0.25) * SPEEDS[self.speed_i]
        n = 0
        while self.acc >= DT and n < MAX_STEPS_PER_FRAME:
            self.proc.step()
            self.acc -= DT
            n += 1
        self._check_prepared()
        self._record("sync")
        self.slow = self.acc >= DT
        if self.slow:
            self.acc = DT

    def draw(self, surface) -> None:
        self.frame_i += 1
        img = self.view.render(
            self.proc.t,
            mode=self.mode,
            roadmap=self.roadmap,
            teaching=self.teaching,
            seed_frame=self.frame_i,
        )
        surface.blit(img, self.view_rect.topleft)
        surface.fill(
            (27, 30, 37), pygame.Rect(self.view_rect.right, 0, self.panel_w, self.app.size[1])
        )
        self._draw_overlay(surface)
        self._draw_counters(surface)
        if self.show_help:
            self._draw_help(surface)
        if self.confirm_leave:
            self._draw_box(
                surface,
                ["Leave this case?", "Y = leave (not saved as finished)", "any other key = stay"],
            )

    def _draw_overlay(self, surface) -> None:
        px = self.app.px
        crumbs = " › ".join(self.proc.breadcrumb())
        draw_lines(surface, [crumbs], (px(12), px(10)), px(18), (255, 255, 200), bold=True)
        flags, st = [], self.proc.status()
        if st.in_reflux:
            flags.append(("REFLUX", (255, 90, 90)))
        if st.stasis_level == 2:
            flags.append(("STASIS", (255, 200, 80)))
        if self.paused:
            flags.append(("PAUSED", (200, 200, 255)))
        if self.slow:
            flags.append(("running slowly", (255, 160, 60)))
        x = px(12)
        for text, col in flags:
            img = font(px(20), True).render(text, True, col)
            surface.blit(img, (x, px(38)))
            x += img.get_width() + px(16)
        mode = (
            f"{self.mode.upper()}{' · roadmap' if self.roadmap else ''}"
            f"{' · teaching' if self.teaching else ''}"
        )
        draw_lines(
            surface, [mode], (px(12), self.view_rect.bottom - px(28)), px(15), (180, 190, 200)
        )
        if self.message_t > 0:
            self._draw_box(surface, [self.message], y=self.view_rect.bottom - px(90))

    def _draw_counters(self, surface) -> None:
        p, px = self.proc, self.app.px
        m = p.metrics
        lines = [
            f"Time {p.t / 60:4.1f} min    fluoro {m.fluoro_s / 60:4.1f} min",
            f"Contrast {m.contrast_ml:5.1f} mL",
            f"Agent {sum(m.agent_ml.values()):5.2f} mL"
            + (f"   {m.activity_gbq:.2f} GBq" if m.activity_gbq else ""),
            self._prepared_text(),
            f"Antegrade flow {100 * min(p.residual_antegrade(), 9.99):4.0f} %   "
            f"SACE {p.sace_level()}",
            f"Injecting {self.rate_ml_min:.1f} mL/min" if self.injecting else "Not injecting",
        ]
        lines += self._planning_lines()
        y = draw_lines(surface, lines, (self.view_rect.right + px(14), self.counters_y), px(15))
        y += px(8)
        draw_lines(surface, ["Events"], (self.view_rect.right + px(14), y), px(15), bold=True)
        y += px(22)
        ev = [f"{e.t:6.0f} s  {e.kind}: {e.detail}" for e in p.events[-8:]]
        from sim.render.text import wrap

        wrapped = [w for line in ev for w in wrap(line, px(13), self.panel_w - px(28))]
        draw_lines(
            surface,
            wrapped[-14:],
            (self.view_rect.right + px(14), y),
            px(13),
            (190, 196, 205),
            max_y=self.app.size[1] - px(6),
        )

    def _prepared_text(self) -> str:
        """What is left of what was drawn up (Y-90 vial, cTACE emulsion)."""
        ag = self.proc.agent
        if AGENTS[ag.agent].activity_per_sphere_bq > 0:
            return f"Vial {ag.activity_left_gbq:.2f} of {ag.activity_gbq:.2f} GBq left"
        if ag.agent == "lipiodol" and ag.emulsion_ml:
            return f"Emulsion {ag.emulsion_left_ml:.1f} of {ag.emulsion_ml:g} mL left"
        return f"{AGENTS[ag.agent].name}"

    def _check_prepared(self) -> None:
        """Stop the injection when what was drawn up is used up, and say so."""
        if self.injecting and self.proc.status().drawn_up_empty:
            self._stop_injection()
            self._say("All that was drawn up has been given: prepare more (agent panel) or finish")

    def _planning_lines(self) -> list[str]:
        """Y-90 planning calculator from the case's mapping study (BSA and partition)."""
        from sim.engine.y90_plan import plan_y90

        if not self.proc.agent.radioactive:
            return []
        p = plan_y90(self.case.scenario, self.proc.liver, self.proc.agent.activity_gbq)
        a_bsa = p.bsa_activity_gbq
        return [
            f"Plan: LSF {100 * p.lung_shunt_fraction:.0f} %, T/N {p.tn_ratio:g}, "
            f"BSA {p.bsa_m2:.2f} m²",
            "  BSA method: " + (f"{a_bsa:.2f} GBq" if a_bsa is not None else "do not treat"),
            f"  partition ({p.target_dose_gy:g} Gy tumour): {p.partition_activity_gbq:.2f} GBq",
            f"  lung dose at {p.activity_gbq:.2f} GBq: {p.lung_dose_gy:.1f} Gy (limit "
            f"{p.lung_limit_gy:g})",
        ]

    def _draw_help(self, surface) -> None:
        self._draw_box(surface, [("Keys", "")] + HELP, y=self.app.px(70))

    def _draw_box(self, surface, lines, y: int | None = None) -> None:
        """A dark box centred on the view; lines are strings, or (key, meaning) in two columns."""
        px = self.app.px
        size = px(16)
        f = font(size)
        rows = [(t, "") if isinstance(t, str) else t for t in lines]
        two = any(b for _, b in rows)
        col = max(f.size(a)[0] for a, b in rows if b or not two) + px(24) if two else 0
        w = max(col + f.size(b)[0] if b else f.size(a)[0] for a, b in rows) + px(32)
        step = int(size * 1.4)
        h = len(rows) * step + px(24)
        x = (self.view_rect.width - w) // 2
        y = (self.view_rect.height - h) // 2 if y is None else y
        box = pygame.Surface((w, h), pygame.SRCALPHA)
        box.fill((10, 12, 16, 225))
        surface.blit(box, (x, y))
        for i, (a, b) in enumerate(rows):
            yy = y + px(12) + i * step
            draw_lines(
                surface, [a], (x + px(16), yy), size, (255, 236, 170) if b else (225, 228, 235)
            )
            if b:
                draw_lines(surface, [b], (x + px(16) + col, yy), size)
