"""Siphon: a desktop trainer for transarterial therapy of NET liver metastases.

The core (everything here except :mod:`sim.render`, :mod:`sim.ui` and :mod:`sim.app`) is
headless: it never imports pygame, so every procedure runs in tests and on the command line.
"""

__version__ = "0.1.0"
