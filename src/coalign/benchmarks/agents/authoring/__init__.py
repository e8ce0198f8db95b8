"""Tools that make coalign/agents scenario data (not needed to run the task).

``generate``: expand the seeds into new scenarios and filter them (template or model mode).
``importers``: read released ForesightSafety-SAGE files unchanged.
"""
