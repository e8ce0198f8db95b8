"""Agent-safety benchmark (VESTA-style): simulated tools, adaptive attacker, two-layer scoring.

The task is ``coalign/agents`` (:mod:`.task`); see README.md in this folder.
"""
