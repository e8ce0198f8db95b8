"""Agent-safety benchmark (VESTA-style): simulated tools, adaptive attacker, two-layer scoring."""

from coalign.benchmarks.agents.report import report_sections, summary
from coalign.benchmarks.agents.task import agents, demo_task

__all__ = ["agents", "demo_task", "report_sections", "summary"]
