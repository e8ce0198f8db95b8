"""Science-risk benchmark (``coalign/scirisk``): hazardous scientific requests and benign
look-alikes across 7 disciplines, 31 subdisciplines and 10 risk dimensions.

This folder is the template for a benchmark (see ``README.md`` beside this file). Entry
points: :func:`coalign.benchmarks.scirisk.task.scirisk` (the Inspect task),
:func:`coalign.benchmarks.scirisk.report.report_sections` (the HTML report part) and
:func:`coalign.benchmarks.scirisk.schema.read_items` (the validated items). Nothing is
imported here, so importing one module does not load the others.
"""
