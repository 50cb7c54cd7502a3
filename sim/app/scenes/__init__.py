"""Screens of the window: case picker, procedure, debrief."""
