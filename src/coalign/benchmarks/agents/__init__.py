"""Agent-safety benchmark (VESTA-style): simulated tools, adaptive attacker, two-layer scoring."""
