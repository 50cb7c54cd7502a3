"""Input and widgets: pygame events turned into typed app inputs (:mod:`sim.ui.inputs`) and the
pygame_gui widgets behind one adapter (:mod:`sim.ui.widgets`)."""
