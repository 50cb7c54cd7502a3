"""Siphon entry point: everything lives in :mod:`sim.app.cli`."""

from sim.app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
