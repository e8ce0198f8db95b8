"""Synthetic training data and the training command for the offline classifier's heads.

``python -m coalign.judges.training.generate --out data.jsonl`` writes the labelled examples;
``python -m coalign.judges.training.train`` regenerates them and refits the shipped heads.
"""
