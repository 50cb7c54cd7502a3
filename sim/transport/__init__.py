"""Particle packets and the contrast bolus, carried by the solved flow field."""
