"""Outcome: dosimetry, ischaemia, coverage, damage, non-target injury and the score."""
