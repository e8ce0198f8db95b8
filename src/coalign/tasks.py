"""Every Inspect task coalign ships; importing this module registers them with Inspect."""

from coalign.benchmarks.agents.task import agents  # noqa: F401
