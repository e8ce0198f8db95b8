"""Persona-conditioned value-alignment benchmark (``coalign/values``), after MVPBench.

Personas from many countries state how much they value seven dimensions of an answer; each
item pairs a question with candidate responses that trade one dimension off against another,
and the persona's stated weights decide which one that person prefers. Preference Alignment
Accuracy (PAA) is measured three ways (judged generation, choice, likelihood) and broken down
by country, region and demographic group with intervals and a permutation test.

The task is :func:`coalign.benchmarks.values.task.values`; the folder's layout is described in
its ``README.md``.
"""
