"""The pygame_gui adapter: the one module that builds pygame_gui widgets and their manager.

Scenes make widgets through these functions (rectangles are :class:`sim.render.canvas.Rect`)
and read what the widgets did as :class:`sim.ui.inputs.WidgetEvent`; they keep the returned
widget only to compare it with an event's ``element`` and to call its small API
(``set_text``, ``get_text``, ``get_current_value``, ``set_current_value``). The theme ships in
``assets/theme.json`` with the fonts. Importing this module sets nothing up.
"""

from __future__ import annotations

import json

import pygame_gui
from pygame_gui.elements import (
    UIButton,
    UIDropDownMenu,
    UIHorizontalSlider,
    UILabel,
    UISelectionList,
    UITextEntryLine,
)

from sim.render.canvas import Rect
from sim.render.text import ASSETS

WIDGET_KINDS = (
    "button",
    "label",
    "drop_down_menu",
    "selection_list",
    "text_entry_line",
    "horizontal_slider",
    "text_box",
    "tool_tip",
)


def load_theme(scale: float = 1.0) -> dict:
    """The pygame_gui theme with font paths made absolute (fonts ship in ``assets/``) and font
    sizes multiplied by ``scale`` (widgets stay readable on 4K screens and projectors)."""
    theme = json.loads((ASSETS / "theme.json").read_text(encoding="utf-8"))

    def fix(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k.endswith("_path") and isinstance(v, str):
                    node[k] = str(ASSETS.parent / v)
                elif k == "size" and isinstance(v, str) and v.isdigit():
                    node[k] = str(max(8, round(int(v) * scale)))
                else:
                    fix(v)

    fix(theme)
    # pygame_gui reads only colours from "defaults": give every widget kind the shipped font
    default_font = theme["defaults"]["font"]
    for kind in WIDGET_KINDS:
        block = theme.setdefault(kind, {})
        block["font"] = {**default_font, **block.get("font", {})}
    misc = theme["selection_list"].setdefault("misc", {})
    misc["list_item_height"] = str(round(24 * scale))
    theme.setdefault("selection_list.#item_list_item", {}).setdefault("misc", {}).update(
        {"text_horiz_alignment": "left", "text_horiz_alignment_padding": str(round(8 * scale))}
    )
    return theme


def manager(size: tuple[int, int], scale: float):
    """The widgets' manager for a window of ``size`` at UI ``scale``."""
    return pygame_gui.UIManager(size, load_theme(scale), enable_live_theme_updates=False)


def button(rect: Rect, text: str, ui, object_id: str | None = None):
    return UIButton(Rect(rect), text, ui, object_id=object_id)


def label(rect: Rect, text: str, ui, object_id: str | None = None):
    return UILabel(Rect(rect), text, ui, object_id=object_id)


def dropdown(options: list[str], selected: str, rect: Rect, ui):
    return UIDropDownMenu(options, selected, Rect(rect), ui)


def list_item_width(ui, text: str) -> int:
    """Pixels ``text`` takes in a selection list's item (the theme's font)."""
    font = ui.get_theme().get_font(["selection_list.#item_list_item", "selection_list"])
    return font.size(text)[0]


def close_menu_if_its_list(menu, options_list) -> bool:
    """Close ``menu`` when ``options_list`` is its open list (re-picking the current item
    deselects it, which leaves a pygame_gui menu open); True if it was."""
    state = menu.current_state
    if getattr(state, "options_selection_list", None) is not options_list:
        return False
    state.should_transition = True
    return True


def slider(rect: Rect, value: float, span: tuple[float, float], ui, step: float):
    return UIHorizontalSlider(Rect(rect), value, span, ui, click_increment=step)


def selection_list(rect: Rect, items: list[str], ui, selected: str | None = None):
    return UISelectionList(Rect(rect), items, ui, default_selection=selected)


def text_entry(rect: Rect, ui, text: str = ""):
    entry = UITextEntryLine(Rect(rect), ui)
    entry.set_text(text)
    return entry
