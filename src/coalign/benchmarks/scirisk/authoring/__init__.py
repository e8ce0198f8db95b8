"""Tools that make the science-risk data; running the task needs none of them.

* :mod:`~coalign.benchmarks.scirisk.authoring.build`: composes the hand-written
  ``components/`` into the shipped ``data/scirisk_items.jsonl`` (deterministic).
* :mod:`~coalign.benchmarks.scirisk.authoring.generate`: drafts new items with a model (or
  re-composes the seeds in other forms), deduplicated and validated.
* :mod:`~coalign.benchmarks.scirisk.authoring.importers`: maps public prompt sets
  (HarmBench, XSTest, any CSV/JSONL) onto the taxonomy.
* :mod:`~coalign.benchmarks.scirisk.authoring.similarity`: the near-duplicate measure they share.
"""
