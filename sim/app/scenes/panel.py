"""The control panel beside the viewport: agent, size, settings, rate, buttons, live counters.

:class:`ControlPanel` builds the pygame_gui widgets for a session, turns widget events into
commands or session calls, and draws the counters and the event list under the widgets. The
agent menu shows readable names (:mod:`sim.app.scenes.agent_help`); every line is wrapped to the
panel; the event list keeps the newest event in sight (the mouse wheel scrolls back). In exam
mode (``exam``) the list leaves out what nobody in a real room can know before the debrief.
"""

from __future__ import annotations

from sim.agents import AGENTS
from sim.app.prepare import AGENT_SETTINGS, Setting, prepared_text
from sim.app.scenes.agent_help import agent_label
from sim.app.session import (
    CONTRAST_ML_SPAN,
    CONTRAST_RATE_SPAN,
    RATE_SPAN,
    SPEEDS,
    ProcedureSession,
)
from sim.engine.y90_plan import DEVICES
from sim.render.canvas import Rect
from sim.render.text import draw_lines, wrap
from sim.ui import widgets as gui
from sim.ui.inputs import WidgetEvent

DECLINE_PROMPT = "Decline…"  # the decline menu's resting item; choosing a reason ends the case
DECLINE_MENU = {  # the reasons as the narrow menu shows them (records word them in full)
    "lung_shunt": "shunt > 20 %",
    "lung_dose": "lung dose",
    "extrahepatic_uptake": "extrahepatic",
    "other": "other",
}

# Events a real room cannot see live: where particles went, the lung dose actually delivered.
EXAM_HIDDEN_KINDS = frozenset({"non_target", "lung_dose_over_limit"})


def room_events(events: list, exam: bool) -> list:
    """The events the panel may list: all of them, or in exam mode what a real room sees."""
    return [e for e in events if not (exam and e.kind in EXAM_HIDDEN_KINDS)]


def size_text(s) -> str:
    """A particle size range as the menus show it."""
    return f"{s[0]:g}–{s[1]:g} µm"


def parse_size(text: str) -> tuple[float, float]:
    lo, hi = text.replace(" µm", "").split("–")
    return float(lo), float(hi)


# A dissolved agent (Lu-177 DOTATATE) has no sizes: its second menu is the route.
ROUTES = {"IA: from the catheter tip": "ia", "IV: into a vein": "iv"}


def choice_text(ag) -> str:
    """What the second menu shows for the prepared agent: its size, or its route."""
    if AGENTS[ag.agent].embolic:
        return size_text(ag.size_um)
    return next(t for t, r in ROUTES.items() if r == ag.route)


class ControlPanel:
    """The side panel of ``session`` in ``app``'s window, ``width`` pixels right of ``left``."""

    def __init__(self, app, session: ProcedureSession) -> None:
        self.app = app
        self.session = session
        self.left = 0
        self.width = 0
        self.setting_ui: list[tuple[Setting, object, object]] = []  # (setting, label, slider)
        self.target_entry = None  # the Y-90 calculator's typed target dose (Y-90 only)
        self.buttons: dict = {}
        self.counters_y = 0
        self.carm_label = "AP"
        self._plan_key: tuple | None = None  # (tip edge, device, GBq, width) of _plan_text
        self._plan_text: list[str] = []
        self.exam = False  # exam mode: no live non-target (what a real room shows)
        self.omit: tuple[str, ...] = ()  # commands without a button (booth: pause, speed)
        self.events_back = 0  # wrapped event lines scrolled back from the newest

    # ------------------------------------------------------------------ widgets
    def build(self, left: int | None = None, width: int | None = None) -> None:
        """(Re)build the widgets (after a layout, or when the agent changes its settings)."""
        self.left = self.left if left is None else left
        self.width = self.width if width is None else width
        ui, px, s = self.app.ui, self.app.px, self.session
        ui.clear_and_reset()
        x0 = self.left + px(12)
        wd = self.width - px(24)
        row = px(34)
        y = px(12)
        gui.label(Rect(x0, y, wd // 3, row), "Agent", ui)
        self.agents_help_btn = gui.button(
            Rect(x0 + wd // 3, y, wd - wd // 3, row), "What is it? (G)", ui
        )
        y += row
        agent = s.proc.agent.agent
        if agent not in s.agent_ids:  # nothing prepared yet (an autoplay before its first agent)
            agent = s.agent_ids[0]
        options = [agent_label(a) for a in s.agent_ids]
        self.agent_menu = gui.dropdown(options, agent_label(agent), Rect(x0, y, wd, row), ui)
        y += row + px(6)
        sizes = self.sizes(agent)
        cur = choice_text(s.proc.agent)
        self.size_menu = gui.dropdown(
            sizes, cur if cur in sizes else sizes[0], Rect(x0, y, wd, row), ui
        )
        y += row + px(6)
        self.setting_ui = []
        self.target_entry = None
        for st in AGENT_SETTINGS.get(agent, ()):
            v, top = s.setting_value(st), y
            typed = agent in DEVICES and st.field == "activity_gbq"
            lw = wd * 3 // 5 if typed else None  # a Y-90 activity shares its row with the target
            label, slider, y = self._slider(x0, y, wd, st.text(v), v, st.span, st.step, lw)
            self.setting_ui.append((st, label, slider))
            if typed:  # the calculator's target dose, typed (Enter plans for it)
                gy = s.target_gy or s.proc.scenario.scoring.tumor_target_dose_gy
                box = Rect(x0 + lw + px(4), top, wd - lw - px(4), row)
                self.target_entry = gui.text_entry(box, ui, f"{gy:g} Gy")
        self.rate_label, self.rate_slider, y = self._slider(
            x0, y + px(4), wd, self.rate_text(), s.rate_ml_min, RATE_SPAN, 0.5
        )
        y = self._contrast_controls(x0, y, wd)
        self._buttons(x0, y + px(6), wd, row)

    def _contrast_controls(self, x0: int, y: int, wd: int) -> int:
        """Contrast volume and rate side by side, then the roadmap's opacity; the y below."""
        s, px = self.session, self.app.px
        half = (wd - px(8)) // 2
        self.cvol_label, self.cvol_slider, _ = self._slider(
            x0, y, half, self.contrast_text()[0], s.contrast_ml, CONTRAST_ML_SPAN, 0.5
        )
        self.crate_label, self.crate_slider, y = self._slider(
            x0 + half + px(8),
            y,
            half,
            self.contrast_text()[1],
            s.contrast_ml_s,
            CONTRAST_RATE_SPAN,
            0.1,
        )
        self.road_label, self.road_slider, y = self._slider(
            x0, y, wd, self.road_text(), s.roadmap_opacity, (0.1, 1.0), 0.05
        )
        return y

    def _buttons(self, x0: int, y: int, wd: int, row: int) -> None:
        """Inject and contrast, the view and clock rows, then Finish, Coil and the Decline menu;
        a command in ``omit`` gets no button (the booth has no pause or speed, exam mode no
        teaching overlay)."""
        ui, px = self.app.ui, self.app.px
        half = (wd - px(8)) // 2
        self.inject_btn = gui.button(Rect(x0, y, half, row * 1.3), "Inject (hold)", ui)
        contrast = gui.button(Rect(x0 + half + px(8), y, half, row * 1.3), "Contrast (C)", ui)
        self.buttons = {contrast: "contrast", self.agents_help_btn: "agents"}
        y += int(row * 1.3) + px(8)
        speed = f"{SPEEDS[self.session.speed_i]:g}x"
        rows = (
            (("dsa", "DSA"), ("roadmap", "Roadmap"), ("teaching", "Teaching")),
            (("pause", "Pause"), ("speed", speed), ("help", "Help"), ("scan", "Scan")),
        )
        self.speed_btn = None
        for names in rows:
            names = [(n, t) for n, t in names if n not in self.omit]
            each = (wd - px(8) * (len(names) - 1)) // len(names)
            for k, (name, text) in enumerate(names):
                b = gui.button(Rect(x0 + k * (each + px(8)), y, each, row), text, ui)
                self.buttons[b] = name
                if name == "speed":
                    self.speed_btn = b
            y += row + px(8)
        self.carm_btn = gui.button(Rect(x0, y, wd, row), self._carm_text(), ui)
        self.buttons[self.carm_btn] = "carm_next"
        y += row + px(8)
        fw, cw = self._fit("Finish (F)"), self._fit("Coil")  # the menu takes the rest (X: help)
        h = int(row * 1.2)
        finish = gui.button(Rect(x0, y, fw, h), "Finish (F)", ui, object_id="#danger")
        self.buttons[finish] = "finish"
        self.buttons[gui.button(Rect(x0 + fw + px(8), y, cw, h), "Coil", ui)] = "coil"
        dx = fw + cw + 2 * px(8)
        menu = [DECLINE_PROMPT, *DECLINE_MENU.values()]
        self.decline_menu = gui.dropdown(menu, DECLINE_PROMPT, Rect(x0 + dx, y, wd - dx, h), ui)
        self.counters_y = y + int(row * 1.2) + px(12)

    def _fit(self, text: str) -> int:
        """Width of a button that shows ``text`` whole (its padding on both sides)."""
        font = self.app.ui.get_theme().get_font(["button"])
        return font.size(text)[0] + self.app.px(22)

    def _slider(self, x, y, w, text, value, span, step, label_w=None):
        """A label (``label_w`` wide, default ``w``) over a slider; returns both and the y below
        them."""
        row = self.app.px(34)
        label = gui.label(Rect(x, y, label_w or w, row), text, self.app.ui)
        slider = gui.slider(Rect(x, y + row, w, row), value, span, self.app.ui, step)
        return label, slider, y + 2 * row + self.app.px(4)

    def sizes(self, agent: str) -> list[str]:
        if not AGENTS[agent].embolic:
            return list(ROUTES)
        opt = next(o for o in self.session.proc.scenario.agents_available if o.agent == agent)
        menu = opt.sizes_um or list(AGENTS[agent].sizes_um)
        return [size_text(s) for s in menu]

    def rate_text(self) -> str:
        return f"Rate {self.session.rate_ml_min:.1f} mL/min"

    def show_rate(self, slider_value: float | None = None) -> None:
        """The rate label and slider after the session's rate changed."""
        rate = self.session.rate_ml_min if slider_value is None else slider_value
        self.rate_label.set_text(self.rate_text())
        if abs(self.rate_slider.get_current_value() - rate) > 1e-9:
            self.rate_slider.set_current_value(rate)

    def show_carm(self, label: str) -> None:
        """The C-arm button names the current angulation."""
        self.carm_label = label
        self.carm_btn.set_text(self._carm_text())

    def _carm_text(self) -> str:
        return f"C-arm: {self.carm_label} (1-4)"

    def contrast_text(self) -> tuple[str, str]:
        s = self.session
        return f"Contrast {s.contrast_ml:.1f} mL", f"at {s.contrast_ml_s:.1f} mL/s"

    def road_text(self) -> str:
        return f"Roadmap opacity {100 * self.session.roadmap_opacity:.0f} %"

    def show_contrast(self) -> None:
        """The contrast and roadmap labels and sliders after the session's values changed."""
        s = self.session
        vol, rate = self.contrast_text()
        for label, slider, text, v in (
            (self.cvol_label, self.cvol_slider, vol, s.contrast_ml),
            (self.crate_label, self.crate_slider, rate, s.contrast_ml_s),
            (self.road_label, self.road_slider, self.road_text(), s.roadmap_opacity),
        ):
            label.set_text(text)
            if abs(slider.get_current_value() - v) > 1e-9:
                slider.set_current_value(v)

    def show_speed(self) -> None:
        if self.speed_btn is not None:
            self.speed_btn.set_text(f"{SPEEDS[self.session.speed_i]:g}x")

    # ------------------------------------------------------------------ agent
    def current_settings(self) -> dict[str, float]:
        return {st.field: self.session.setting_value(st) for st, _, _ in self.setting_ui}

    def change_setting(self, i: int, value: float) -> None:
        """Set agent setting ``i`` (snapped to its step and span) and re-prepare the agent."""
        if i >= len(self.setting_ui):
            return
        st, label, slider = self.setting_ui[i]
        lo, hi = st.span
        v = min(max(lo + round((value - lo) / st.step) * st.step, lo), hi)
        ag = self.session.proc.agent
        current = self.current_settings()
        current[st.field] = v
        self.choose(ag.agent, choice_text(ag), **current)
        label.set_text(st.text(v))
        if abs(slider.get_current_value() - v) > 1e-9:
            slider.set_current_value(v)

    def step_setting(self, i: int, sign: float) -> None:
        """Setting ``i`` one step up (``sign`` 1) or down (-1)."""
        if i < len(self.setting_ui):
            st = self.setting_ui[i][0]
            self.change_setting(i, self.session.setting_value(st) + sign * st.step)

    def choose(self, agent: str, text: str, **settings) -> None:
        """Prepare ``agent`` with the second menu's ``text``: a size, or a route."""
        if text in ROUTES:
            self.session.select(agent, None, route=ROUTES[text], **settings)
        else:
            self.session.select(agent, parse_size(text), **settings)

    def cycle_agent(self) -> None:
        s = self.session
        ids = s.agent_ids
        i = ids.index(s.proc.agent.agent) if s.proc.agent.agent in ids else -1
        agent = ids[(i + 1) % len(ids)]
        s.select(agent, None)
        self.build()
        s.say(f"Agent: {AGENTS[agent].name}  (G: what it is and when to choose it)")

    def cycle_size(self) -> None:
        ag = self.session.proc.agent
        sizes = self.sizes(ag.agent)
        cur = choice_text(ag)
        nxt = sizes[(sizes.index(cur) + 1) % len(sizes)] if cur in sizes else sizes[0]
        self.choose(ag.agent, nxt, **self.current_settings())
        self.build()
        self.session.say(f"Size: {nxt}")

    def ui_event(self, event: WidgetEvent) -> str | None:
        """Apply a widget event to the session; returns the command of a button pressed."""
        s = self.session
        if event.kind == "pressed":
            return self.buttons.get(event.element)
        if event.kind == "deselected":
            self.close_menus(event.element)
        if event.kind == "menu_changed":
            if event.element == self.agent_menu:
                labels = {agent_label(a): a for a in s.agent_ids}
                agent = event.text if event.text in s.agent_ids else labels.get(event.text)
                if agent is not None:
                    s.select(agent, None)
                self.build()
            elif event.element == self.size_menu:
                self.choose(s.proc.agent.agent, event.text, **self.current_settings())
            elif event.element == self.decline_menu:
                codes = {text: code for code, text in DECLINE_MENU.items()}
                return f"decline:{codes[event.text]}" if event.text in codes else None
        elif event.kind == "text_finished" and event.element is self.target_entry:
            s.set_target_gy(event.text)
            self.build()
        elif event.kind == "slider_moved":
            if event.element is self.rate_slider:
                s.set_rate(event.value)
                self.show_rate()
            elif event.element is self.cvol_slider:
                s.set_contrast(volume_ml=event.value)
            elif event.element is self.crate_slider:
                s.set_contrast(rate_ml_s=event.value)
            elif event.element is self.road_slider:
                s.set_roadmap_opacity(event.value)
            self.show_contrast()
            for i, (_, _, slider) in enumerate(self.setting_ui):
                if event.element is slider:
                    self.change_setting(i, event.value)
        return None

    def close_menus(self, options_list) -> None:
        """Re-picking a menu's current item deselects it in the open list (pygame_gui), which
        leaves the menu open: close the menu whose list it was, keeping its item."""
        for menu in (self.agent_menu, self.size_menu, self.decline_menu):
            gui.close_menu_if_its_list(menu, options_list)

    def scroll_events(self, lines: int) -> None:
        """Scroll the event list back (positive) or towards the newest (negative)."""
        self.events_back = max(0, self.events_back + lines)

    # ------------------------------------------------------------------ counters
    def draw(self, surface) -> None:
        """The panel's background, counters and latest events (under the widgets)."""
        s, px = self.session, self.app.px
        p, m = s.proc, s.proc.metrics
        surface.fill((27, 30, 37), Rect(self.left, 0, self.width, self.app.size[1]))
        lines = [
            f"Time {p.t / 60:4.1f} min    fluoro {m.fluoro_s / 60:4.1f} min",
            f"Contrast {m.contrast_ml:5.1f} mL",
            f"Agent {sum(m.agent_ml.values()):5.2f} mL"
            + (f"   {m.activity_gbq:.2f} GBq" if m.activity_gbq else ""),
            prepared_text(s.proc.agent),
            f"Antegrade flow {100 * min(p.residual_antegrade(), 9.99):4.0f} %   "
            f"SACE {p.sace_level()}",
            f"Injecting {s.rate_ml_min:.1f} mL/min" if s.injecting else "Not injecting",
        ]
        lines += self._planning_lines()
        x, room = self.left + px(14), self.width - px(28)
        size = px(14)
        wrapped = [w for line in lines for w in wrap(line, size, room)]
        # Keep the Events heading and two event lines in the window: the Y-90 working is cut
        # with an ellipsis when the panel is short (the full working: `dosimetry` command).
        fit = max(1, (self.app.size[1] - self.counters_y - px(80)) // int(size * 1.25))
        if len(wrapped) > fit:
            wrapped = wrapped[: fit - 1] + ["…"]
        y = draw_lines(surface, wrapped, (x, self.counters_y), size)
        y += px(6)
        draw_lines(surface, ["Events"], (x, y), size, bold=True)
        y += int(size * 1.4)
        self._events(surface, x, y, room)

    def _events(self, surface, x: int, y: int, room: int) -> None:
        """The event list from ``y`` to the bottom, the newest line in sight (unless scrolled
        back)."""
        px, size = self.app.px, self.app.px(13)
        step = int(size * 1.25)
        shown = room_events(self.session.proc.events, self.exam)
        ev = [f"{e.t:5.0f} s  {e.kind}: {e.detail}" for e in shown[-40:]]
        wrapped = [w for line in ev for w in wrap(line, size, room)]
        fit = max(0, (self.app.size[1] - px(6) - y) // step)
        self.events_back = min(self.events_back, max(0, len(wrapped) - fit))
        end = len(wrapped) - self.events_back
        draw_lines(surface, wrapped[max(0, end - fit) : end], (x, y), size, (190, 196, 205))

    def _planning_lines(self) -> list[str]:
        """Y-90 calculator: the activity planned for the territory the tip perfuses, worked out.

        Recomputed only when the tip, the device, the activity drawn up or the width changes.
        """
        proc = self.session.proc
        if not proc.agent.radioactive or not AGENTS[proc.agent.agent].embolic:
            return []
        key = (
            proc.flow.tip_edge(),
            proc.agent.agent,
            proc.agent.activity_gbq,
            self.width,
            self.session.target_gy,
        )
        if self._plan_key != key:
            self._plan_key, self._plan_text = key, self._plan_at_tip(*key[:3], key[4])
        return self._plan_text

    def _plan_at_tip(
        self, edge: int, agent: str, drawn_gbq: float, target_gy: float | None
    ) -> list[str]:
        from sim.engine.y90_plan import inputs_for, perfused_territory, plan_from_tip
        from sim.outcome.dosimetry import MIRD_GY_KG_PER_GBQ, lung_dose_gy

        proc, sc = self.session.proc, self.session.proc.scenario  # the visit's: measured LSF
        if edge < 0:
            return ["Plan: place the catheter to plan from its tip"]
        t = perfused_territory(proc.c, int(proc.c.edge_to[edge]), proc.c.names[edge])
        p = plan_from_tip(t, inputs_for(sc, agent, target_gy=target_gy), sc)
        part = plan_from_tip(t, inputs_for(sc, agent, "partition", target_gy), sc)
        a, lsf, k = p.activity_gbq, p.inputs.lung_shunt_fraction, MIRD_GY_KG_PER_GBQ
        cut = "" if p.lsf_factor in (None, 1.0) else f" (−{100 * (1 - p.lsf_factor):.0f} %)"
        lines = [
            f"Plan at {t.at}: {t.mass_g:.0f} g (T {t.tumor_mass_g:.0f} + L "
            f"{t.normal_mass_g:.0f} g)",
            f"LSF {100 * lsf:.0f} %{cut}, T/N {p.tn_ratio:g}, BSA {p.bsa_m2:.2f} m²",
        ]
        if p.inputs.method == "bsa":
            tf, share = t.liver_tumor_mass_g / t.liver_mass_g, t.mass_g / t.liver_mass_g
            red = f"{p.lsf_factor:g}" if p.lsf_factor is not None else "0"
            lines.append(f"BSA ({p.bsa_m2:.2f} − 0.2 + {tf:.2f}) × {red} × {share:.2f}")
        else:
            m = t.mass_g / 1e3
            lines.append(f"MIRD: {p.inputs.target_gy:g} × {m:.3f} / ({k:g} × {1 - lsf:.2f})")
        got = "do not treat" if a is None else f"{a:.2f} GBq"
        lines += [
            f"  = {got} · partition {part.activity_gbq:.2f} GBq",
            f"→ tumour {p.tumor_gy:.0f}, liver {p.normal_liver_gy:.0f}, lung {p.lung_gy:.1f} Gy",
            f"drawn up {drawn_gbq:.2f} GBq: lung {lung_dose_gy(drawn_gbq * lsf):.1f} / "
            f"{p.inputs.lung_limit_gy:g} Gy",
        ]
        px = self.app.px
        lines += [f"! {w}" for w in p.warnings[:1]]
        return [x for line in lines for x in wrap(line, px(15), self.width - px(28))]
