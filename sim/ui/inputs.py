"""App inputs: what the trainee did, as typed frozen values instead of pygame events.

This is the one module that reads pygame event types and key constants. :func:`translate`
turns a pygame (or pygame_gui) event into a :class:`Key`, :class:`Click`, :class:`Motion`,
:class:`Wheel`, :class:`Touch`, :class:`Resize`, :class:`Quit`, :class:`Text` or
:class:`WidgetEvent`, and :func:`post` does the reverse (tests and the booth's random visitor
feed the real event queue). Keys are named in lower case: a printable key by its character
(``"a"``, ``"1"``, ``"["``, ``"'"``), the others by :data:`NAMED` (``"up"``, ``"space"``,
``"return"``, ``"f11"`` …). Importing this module sets nothing up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygame
import pygame_gui

MODIFIERS = frozenset({"ctrl", "shift", "alt", "gui", "capslock", "numlock", "mode"})
NAMED: dict[int, str] = {
    pygame.K_SPACE: "space",
    pygame.K_UP: "up",
    pygame.K_DOWN: "down",
    pygame.K_LEFT: "left",
    pygame.K_RIGHT: "right",
    pygame.K_RETURN: "return",
    pygame.K_KP_ENTER: "enter",
    pygame.K_ESCAPE: "escape",
    pygame.K_TAB: "tab",
    pygame.K_BACKSPACE: "backspace",
    pygame.K_DELETE: "delete",
    pygame.K_PAGEUP: "pageup",
    pygame.K_PAGEDOWN: "pagedown",
    pygame.K_HOME: "home",
    pygame.K_END: "end",
    pygame.K_LCTRL: "ctrl",
    pygame.K_RCTRL: "ctrl",
    pygame.K_LSHIFT: "shift",
    pygame.K_RSHIFT: "shift",
    pygame.K_LALT: "alt",
    pygame.K_RALT: "alt",
    pygame.K_LGUI: "gui",
    pygame.K_RGUI: "gui",
    pygame.K_CAPSLOCK: "capslock",
    pygame.K_NUMLOCK: "numlock",
    pygame.K_MODE: "mode",
    **{getattr(pygame, f"K_F{i}"): f"f{i}" for i in range(1, 13)},
}
CODES: dict[str, int] = {name: code for code, name in reversed(NAMED.items())}
MOD_BITS = {"ctrl": pygame.KMOD_CTRL, "shift": pygame.KMOD_SHIFT, "alt": pygame.KMOD_ALT}


@dataclass(frozen=True)
class Key:
    """A key pressed (``down``) or released; ``mods`` the modifiers held (ctrl, shift, alt)."""

    name: str
    mods: frozenset[str] = frozenset()
    down: bool = True
    text: str = ""

    @property
    def is_modifier(self) -> bool:
        """A modifier or lock key: never "any key" (the instructor's chords start with one)."""
        return self.name in MODIFIERS

    @property
    def letter(self) -> str | None:
        """The key's letter a–z in upper case, None for any other key (the key's name follows
        the keyboard's layout, as SDL key codes do)."""
        return self.name.upper() if len(self.name) == 1 and "a" <= self.name <= "z" else None

    @property
    def digit(self) -> int | None:
        """The key's digit 0–9, None for any other key."""
        return int(self.name) if len(self.name) == 1 and self.name.isdigit() else None


@dataclass(frozen=True)
class Click:
    """A mouse button pressed (``down``) or released at ``pos`` (window pixels); 1 is the left
    button, 4 and 5 the wheel's legacy buttons."""

    pos: tuple[int, int]
    button: int = 1
    down: bool = True


@dataclass(frozen=True)
class Motion:
    """The pointer moved to ``pos`` by ``rel``; ``buttons`` held (left, middle, right): a drag
    when any is held."""

    pos: tuple[int, int]
    rel: tuple[int, int] = (0, 0)
    buttons: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class Wheel:
    """The wheel turned: ``y`` > 0 away from the user (scroll up)."""

    x: int = 0
    y: int = 0


@dataclass(frozen=True)
class Touch:
    """A finger on a touch screen (normalised 0–1 position)."""

    pos: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Resize:
    """The window was resized (the app re-reads the display's size)."""

    size: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Quit:
    """The window's close button or the system's quit request; ``window`` for a window-close
    event (the booth refuses both)."""

    window: bool = False


@dataclass(frozen=True)
class Text:
    """Text typed (after the keyboard layout and input method)."""

    text: str


@dataclass(frozen=True)
class WidgetEvent:
    """A widget did something: ``kind`` is one of :data:`WIDGET_KINDS`' values, ``element`` the
    widget (compare with ``is``), ``text`` the chosen item or entry, ``value`` a slider's."""

    kind: str
    element: Any
    text: str = ""
    value: float | None = None


Input = Key | Click | Motion | Wheel | Touch | Resize | Quit | Text | WidgetEvent

WIDGET_KINDS = {
    pygame_gui.UI_BUTTON_START_PRESS: "press_start",
    pygame_gui.UI_BUTTON_PRESSED: "pressed",
    pygame_gui.UI_DROP_DOWN_MENU_CHANGED: "menu_changed",
    pygame_gui.UI_HORIZONTAL_SLIDER_MOVED: "slider_moved",
    pygame_gui.UI_SELECTION_LIST_NEW_SELECTION: "selected",
    pygame_gui.UI_SELECTION_LIST_DROPPED_SELECTION: "deselected",  # an open menu's item re-picked
    pygame_gui.UI_SELECTION_LIST_DOUBLE_CLICKED_SELECTION: "double_clicked",
    pygame_gui.UI_TEXT_ENTRY_CHANGED: "text_changed",
    pygame_gui.UI_TEXT_ENTRY_FINISHED: "text_finished",
}
RESIZE_TYPES = (pygame.VIDEORESIZE, pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED)


def is_any_key(inp: Input | None) -> bool:
    """ "Press any key": a key pressed that is not a modifier, or any mouse button pressed."""
    if isinstance(inp, Key):
        return inp.down and not inp.is_modifier
    return isinstance(inp, Click) and inp.down


def key_name(code: int) -> str:
    """The name of SDL key ``code`` (its character when printable, ``key<code>`` if unknown)."""
    if code in NAMED:
        return NAMED[code]
    return chr(code) if 32 < code < 127 else f"key{code}"


def mod_names(mod: int) -> frozenset[str]:
    return frozenset(name for name, bit in MOD_BITS.items() if mod & bit)


def translate(event) -> Input | None:
    """The app input of pygame ``event`` (None for events no scene reads)."""
    et = event.type
    if et in (pygame.KEYDOWN, pygame.KEYUP):
        return Key(
            key_name(event.key),
            mod_names(getattr(event, "mod", 0)),
            et == pygame.KEYDOWN,
            getattr(event, "unicode", ""),
        )
    if et in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        return Click(tuple(event.pos), event.button, et == pygame.MOUSEBUTTONDOWN)
    if et == pygame.MOUSEMOTION:
        return Motion(tuple(event.pos), tuple(event.rel), tuple(event.buttons))
    if et == pygame.MOUSEWHEEL:
        return Wheel(event.x, event.y)
    if et == pygame.FINGERDOWN:
        return Touch((event.x, event.y))
    if et in RESIZE_TYPES:
        return Resize(
            tuple(getattr(event, "size", (getattr(event, "x", 0), getattr(event, "y", 0))))
        )
    if et in (pygame.QUIT, pygame.WINDOWCLOSE):
        return Quit(window=et == pygame.WINDOWCLOSE)
    if et == pygame.TEXTINPUT:
        return Text(event.text)
    if et in WIDGET_KINDS:
        value = getattr(event, "value", None)
        return WidgetEvent(
            WIDGET_KINDS[et],
            event.ui_element,
            getattr(event, "text", "") or "",
            None if value is None else float(value),
        )
    return None


def deliver(ui, scene, event, inp: Input | None) -> None:
    """Give one pygame ``event`` (translated as ``inp``) to the widgets, then to ``scene``:
    widget events to ``scene.ui_event``, any other input to ``scene.handle`` unless a widget
    consumed it. The window and the booth share this last step of their dispatch."""
    consumed = ui.process_events(event)
    if scene is None or inp is None:
        return
    if isinstance(inp, WidgetEvent):
        scene.ui_event(inp)
    elif not consumed:
        scene.handle(inp)


def is_widget_event(event) -> bool:
    """A pygame_gui event (the app hands these to the scene even when the UI consumed them)."""
    return event.type >= pygame.USEREVENT


def to_events(inp: Input) -> list:
    """The pygame events that :func:`translate` reads back as ``inp`` (for :func:`post`)."""
    if isinstance(inp, Key):
        code = CODES.get(inp.name, ord(inp.name) if len(inp.name) == 1 else 0)
        mod = 0
        for name in inp.mods:
            mod |= MOD_BITS.get(name, 0)
        text = inp.text or (
            inp.name if len(inp.name) == 1 else " " if code == pygame.K_SPACE else ""
        )
        kind = pygame.KEYDOWN if inp.down else pygame.KEYUP
        return [pygame.event.Event(kind, key=code, mod=mod, unicode=text, scancode=0)]
    if isinstance(inp, Click):
        kind = pygame.MOUSEBUTTONDOWN if inp.down else pygame.MOUSEBUTTONUP
        return [pygame.event.Event(kind, pos=inp.pos, button=inp.button)]
    if isinstance(inp, Motion):
        return [
            pygame.event.Event(pygame.MOUSEMOTION, pos=inp.pos, rel=inp.rel, buttons=inp.buttons)
        ]
    if isinstance(inp, Wheel):
        return [pygame.event.Event(pygame.MOUSEWHEEL, x=inp.x, y=inp.y, flipped=False)]
    if isinstance(inp, Resize):
        w, h = inp.size
        return [pygame.event.Event(pygame.VIDEORESIZE, size=inp.size, w=w, h=h)]
    if isinstance(inp, Quit):
        return [pygame.event.Event(pygame.WINDOWCLOSE if inp.window else pygame.QUIT)]
    if isinstance(inp, Text):
        return [pygame.event.Event(pygame.TEXTINPUT, text=inp.text)]
    raise ValueError(f"cannot post {inp!r}")


def post(*inputs: Input) -> None:
    """Put ``inputs`` on pygame's event queue, as the devices would."""
    for inp in inputs:
        for event in to_events(inp):
            pygame.event.post(event)


def key(name: str, *mods: str, down: bool = True) -> Key:
    """A key input by name (``key("q", "ctrl", "shift")``)."""
    return Key(name, frozenset(mods), down)


def tap(name: str, *mods: str) -> tuple[Key, Key]:
    """A key pressed and released."""
    return key(name, *mods), key(name, *mods, down=False)
