"""Every Inspect task coalign ships; importing this module registers them with Inspect."""

from coalign.benchmarks.values.task import values  # noqa: F401
