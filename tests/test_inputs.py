"""Typed app inputs (sim/ui/inputs.py): pygame events read back as named keys, clicks, wheel,
resize, quit and widget events; posting a typed input gives the event it was read from."""

import pygame
import pygame_gui
import pytest

from sim.ui.inputs import (
    Click,
    Key,
    Motion,
    Quit,
    Resize,
    Text,
    Wheel,
    WidgetEvent,
    is_any_key,
    key,
    to_events,
    translate,
)


def down(code, mod=0, text=""):
    return pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod, unicode=text, scancode=0)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (pygame.K_a, "a"),
        (pygame.K_7, "7"),
        (pygame.K_LEFTBRACKET, "["),
        (pygame.K_QUOTE, "'"),
        (pygame.K_SPACE, "space"),
        (pygame.K_UP, "up"),
        (pygame.K_RETURN, "return"),
        (pygame.K_KP_ENTER, "enter"),
        (pygame.K_F11, "f11"),
        (pygame.K_PAGEDOWN, "pagedown"),
        (pygame.K_RSHIFT, "shift"),
    ],
)
def test_keys_are_named(code, name):
    assert translate(down(code)) == Key(name)


def test_modifiers_release_and_any_key():
    k = translate(down(pygame.K_q, pygame.KMOD_LCTRL | pygame.KMOD_RSHIFT))
    assert k == Key("q", frozenset({"ctrl", "shift"}))
    up = translate(pygame.event.Event(pygame.KEYUP, key=pygame.K_SPACE, mod=0))
    assert up == Key("space", down=False)
    assert is_any_key(k) and not is_any_key(up)
    assert not is_any_key(translate(down(pygame.K_LCTRL)))  # a chord's start is not "any key"
    assert is_any_key(Click((3, 4), 3)) and not is_any_key(Click((3, 4), 1, down=False))
    assert Key("z").letter == "Z" and Key("up").letter is None and Key("4").digit == 4


def test_mouse_window_and_text_events():
    e = pygame.event.Event
    assert translate(e(pygame.MOUSEBUTTONDOWN, pos=(10, 20), button=1)) == Click((10, 20))
    assert translate(e(pygame.MOUSEBUTTONUP, pos=(1, 2), button=3)) == Click((1, 2), 3, False)
    motion = e(pygame.MOUSEMOTION, pos=(5, 6), rel=(1, -1), buttons=(1, 0, 0))
    assert translate(motion) == Motion((5, 6), (1, -1), (1, 0, 0))
    assert translate(e(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False)) == Wheel(0, -1)
    assert translate(e(pygame.VIDEORESIZE, size=(800, 600), w=800, h=600)) == Resize((800, 600))
    assert translate(e(pygame.QUIT)) == Quit() and translate(e(pygame.WINDOWCLOSE)) == Quit(True)
    assert translate(e(pygame.TEXTINPUT, text="é")) == Text("é")
    assert translate(e(pygame.ACTIVEEVENT, gain=1, state=1)) is None


def test_widget_events_carry_the_element_and_value():
    widget = object()
    ev = pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED, ui_element=widget, value=2.5)
    got = translate(ev)
    assert got == WidgetEvent("slider_moved", widget, "", 2.5) and got.element is widget
    menu = pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, ui_element=widget, text="tace")
    assert translate(menu) == WidgetEvent("menu_changed", widget, "tace")


@pytest.mark.parametrize(
    "inp",
    [
        key("q", "ctrl", "shift"),
        key("space", down=False),
        key("["),
        key("f4", "alt"),
        Click((7, 8), 2),
        Click((7, 8), 1, down=False),
        Motion((1, 2), (1, 1)),
        Wheel(0, 1),
        Resize((1366, 768)),
        Quit(),
        Quit(window=True),
        Text("a"),
    ],
)
def test_posting_an_input_gives_back_the_same_input(inp):
    (event,) = to_events(inp)
    got = translate(event)
    assert got == (Key(inp.name, inp.mods, inp.down, got.text) if isinstance(inp, Key) else inp)
