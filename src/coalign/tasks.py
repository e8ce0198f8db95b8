"""Every Inspect task coalign ships; importing this module registers them with Inspect."""

from coalign.benchmarks.agents.task import agents  # noqa: F401
from coalign.benchmarks.scirisk.task import scirisk  # noqa: F401
from coalign.benchmarks.values.task import values  # noqa: F401
from coalign.oversight.regression import oversight_regression  # noqa: F401
