"""Linear classifier heads stored as plain arrays (``.npz``), independent of scikit-learn versions.

A head is a standardiser plus a multinomial logistic regression with a fitted temperature:
``p = softmax(((x - mean) / scale) @ coef.T + intercept) / temperature)``. Training uses
scikit-learn (see :mod:`coalign.judges.training.train`); prediction needs only numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coalign.io import atomic_writer

DEFAULT_HEADS_PATH = Path(__file__).parent / "assets" / "classifier_heads.npz"


@dataclass
class LinearHead:
    """One calibrated linear head over named feature blocks."""

    name: str
    classes: list[str]
    blocks: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (n_classes, n_features); binary heads store both rows
    intercept: np.ndarray
    temperature: float = 1.0

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Uncalibrated class scores."""
        z = (x - self.mean) / self.scale
        return z @ self.coef.T + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, shape ``(n, n_classes)``."""
        return softmax(self.logits(x) / self.temperature)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class HeadSet:
    """The refusal and harmful-assistance heads plus training metadata."""

    heads: dict[str, LinearHead]
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        """Write every head into one compressed ``.npz``."""
        arrays: dict[str, Any] = {"meta": np.array(json.dumps(self.meta))}
        for h in self.heads.values():
            arrays[f"{h.name}__classes"] = np.array(h.classes)
            arrays[f"{h.name}__blocks"] = np.array(h.blocks)
            arrays[f"{h.name}__mean"] = h.mean.astype(np.float32)
            arrays[f"{h.name}__scale"] = h.scale.astype(np.float32)
            arrays[f"{h.name}__coef"] = h.coef.astype(np.float32)
            arrays[f"{h.name}__intercept"] = h.intercept.astype(np.float32)
            arrays[f"{h.name}__temperature"] = np.array(h.temperature, dtype=np.float32)
        with atomic_writer(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_HEADS_PATH) -> HeadSet:
        """Read heads written by :meth:`save`."""
        p = Path(path)
        if not p.exists():
            raise RuntimeError(
                f"classifier heads not found at {p}; rebuild them with "
                "`python -m coalign.judges.training.train`"
            )
        with np.load(p, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            names = sorted({k.split("__")[0] for k in data.files if "__" in k})
            heads = {
                n: LinearHead(
                    name=n,
                    classes=[str(c) for c in data[f"{n}__classes"]],
                    blocks=[str(b) for b in data[f"{n}__blocks"]],
                    mean=data[f"{n}__mean"],
                    scale=data[f"{n}__scale"],
                    coef=data[f"{n}__coef"],
                    intercept=data[f"{n}__intercept"],
                    temperature=float(data[f"{n}__temperature"]),
                )
                for n in names
            }
        return cls(heads=heads, meta=meta)
