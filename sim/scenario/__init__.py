"""Scenario files: strict YAML, validation with file:line:col errors, models."""
