"""The procedure: fixed-step clock, actions in, events out, record of actions."""
