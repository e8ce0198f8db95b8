"""Science-risk benchmark (``coalign/scirisk``): hazardous scientific requests and benign
look-alikes across 7 disciplines, 31 subdisciplines and 10 risk dimensions.

Public entry points: :func:`~coalign.benchmarks.scirisk.task.scirisk` (the Inspect task),
:func:`demo_task`, :func:`report_sections`, :func:`~coalign.benchmarks.scirisk.schema.read_items`.
"""

from coalign.benchmarks.scirisk.report import records_from_logs, report_sections
from coalign.benchmarks.scirisk.schema import SciRiskItem, read_items
from coalign.benchmarks.scirisk.task import demo_task, scirisk

__all__ = [
    "SciRiskItem",
    "demo_task",
    "read_items",
    "records_from_logs",
    "report_sections",
    "scirisk",
]
