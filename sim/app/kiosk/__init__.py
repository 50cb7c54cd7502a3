"""Workshop mode: a booth that runs itself (``python main.py kiosk``).

An attract loop of expert demos with large captions, games with a countdown, a brief debrief,
initials and a leaderboard kept in the record store; only the instructor's key chord leaves.
See ``docs/workshop.md``. Importing this package does not import pygame (the command line
builds its parser from :mod:`sim.app.kiosk.launch`); the modules with scenes do.

- :mod:`.app` — :class:`~sim.app.kiosk.app.KioskApp`, the window, its loop and the flow
- :mod:`.attract`, :mod:`.choose`, :mod:`.game`, :mod:`.results`, :mod:`.board` — the scenes;
  :mod:`.registry` — the scenes by name, for the flow's transitions
- :mod:`.i18n` — screen texts and captions (en, de, fr); :mod:`.widgets` — booth-size drawing
- :mod:`.driver` — random input and the self-test; :mod:`.shots` — the README's screenshots
- :mod:`.launch` — the ``kiosk`` command
"""
