"""Steady flow on the arterial network: compiled arrays, solvers, catheter, occlusion."""
