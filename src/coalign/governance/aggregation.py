"""Tree aggregation in numpy, batched over replications.

:class:`TreePlan` compiles a framework into index arrays once; ``aggregate`` then computes every
aggregate of the tree for a batch of replications at a time (leading axis R), which is what
makes the Monte Carlo uncertainty analysis vectorised. A single pipeline run is the case R = 1.

Generalised means share one form: parent = f^-1( sum_c w_c f(x_c) / sum_c w_c ) over the
children the unit has data for (weights re-normalised over those), with f(x) = x (arithmetic),
log x (geometric), 1/x (harmonic) or x^p (power mean). Copeland counts pairwise wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coalign.governance.framework import Framework
from coalign.io import InputError

METHODS = ("arithmetic", "geometric", "harmonic", "power", "copeland")


@dataclass
class Level:
    """One height of the tree: parents, the children they gather and the membership matrix."""

    parents: np.ndarray  # node indices of the parents at this height
    children: np.ndarray  # node indices of all their children (concatenated)
    membership: np.ndarray  # [len(children), len(parents)] 0/1
    groups: list[tuple[int, np.ndarray]]  # (parent index, its children's node indices)


class TreePlan:
    """Node order: indicators first (framework order), then aggregates bottom-up."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.indicators = framework.indicators
        self.aggregates = framework.aggregates
        self.codes = [*self.indicators, *self.aggregates]
        self.index = {c: i for i, c in enumerate(self.codes)}
        self.root = self.index[framework.root]
        self.levels: list[Level] = []
        heights = sorted({framework.nodes[a].height for a in self.aggregates})
        for h in heights:
            parents = [a for a in self.aggregates if framework.nodes[a].height == h]
            kids: list[int] = []
            groups = []
            for a in parents:
                ks = [self.index[k] for k in framework.nodes[a].children]
                groups.append((self.index[a], np.array(ks)))
                kids.extend(ks)
            m = np.zeros((len(kids), len(parents)))
            row = 0
            for j, a in enumerate(parents):
                n = len(framework.nodes[a].children)
                m[row : row + n, j] = 1.0
                row += n
            self.levels.append(
                Level(np.array([self.index[a] for a in parents]), np.array(kids), m, groups)
            )

    def weight_vector(self, weights: dict[str, float]) -> np.ndarray:
        """Weights in node order (the root's entry is unused)."""
        w = np.ones(len(self.codes))
        for c, v in weights.items():
            if c in self.index:
                w[self.index[c]] = v
        return w

    def aggregate(
        self,
        X: np.ndarray,
        W: np.ndarray,
        method: str = "arithmetic",
        *,
        p: float = 1.0,
        nonpositive: str = "error",
        floor: float = 1e-3,
        min_share: float = 0.0,
    ) -> tuple[np.ndarray, int]:
        """Scores of every node.

        X: [units, indicators] normalised values (NaN = missing), shared by every replication,
        or [R, units, indicators]. W: [nodes] (one replication) or [R, nodes] weights.
        Returns (S, values floored) with S [units, nodes] when X and W are both unbatched,
        else [R, units, nodes].
        """
        if method not in METHODS:
            raise InputError(f"aggregation method {method!r} is not one of {', '.join(METHODS)}")
        single = X.ndim == 2 and W.ndim == 1
        shared = X.ndim == 2
        W2 = W[None, :] if W.ndim == 1 else W
        R = W2.shape[0] if shared else X.shape[0]
        W2 = np.broadcast_to(W2, (R, len(self.codes)))
        U = X.shape[-2]
        n_ind = len(self.indicators)
        S = np.full((R, U, len(self.codes)), np.nan)
        S[:, :, :n_ind] = X
        floored = 0
        for lvl in self.levels:
            wc = W2[:, lvl.children]  # [R, K]
            if method == "copeland":
                for parent, kids in lvl.groups:
                    S[:, :, parent] = _copeland(S[:, :, kids], W2[:, kids])
                continue
            if shared and bool(np.all(lvl.children < n_ind)):
                # The children are indicators, identical in every replication: transform them
                # once and let one matrix product apply every replication's weights.
                C0 = X[:, lvl.children]  # [U, K]
                present0 = ~np.isnan(C0)
                fx0, n_floor = _forward(C0[None], method, p, nonpositive, floor, self, lvl)
                floored += n_floor * R
                fx0 = np.where(present0, fx0[0], 0.0)
                K, P = lvl.membership.shape
                B = (fx0.T[:, :, None] * lvl.membership[:, None, :]).reshape(K, U * P)
                Bp = (present0.T[:, :, None] * lvl.membership[:, None, :]).reshape(K, U * P)
                num = (wc @ B).reshape(R, U, P)
                den = (wc @ Bp).reshape(R, U, P)
            else:
                C = S[:, :, lvl.children]  # [R, U, K]
                present = ~np.isnan(C)
                fx, n_floor = _forward(C, method, p, nonpositive, floor, self, lvl)
                floored += n_floor
                fx = np.where(present, fx, 0.0)
                num = (fx * wc[:, None, :]) @ lvl.membership  # [R, U, P]
                den = (present * wc[:, None, :]) @ lvl.membership
            tot = wc @ lvl.membership  # [R, P]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = num / den
                ok = (den > 0) & (den >= min_share * tot[:, None, :] - 1e-12)
                S[:, :, lvl.parents] = np.where(ok, _inverse(mean, method, p), np.nan)
        return (S[0] if single else S), floored


def _forward(
    C: np.ndarray, method: str, p: float, nonpositive: str, floor: float, plan: TreePlan, lvl: Level
) -> tuple[np.ndarray, int]:
    needs_positive = method in ("geometric", "harmonic") or (method == "power" and p <= 0)
    n = 0
    if needs_positive:
        bad = C <= 0
        n = int(bad.sum())
        if n and nonpositive == "error":
            r, u, k = (int(i[0]) for i in np.nonzero(bad))
            code = plan.codes[int(lvl.children[k])]
            raise InputError(
                f"{method} aggregation needs positive values, but {code!r} is {C[r, u, k]:.4g} "
                f"for unit #{u}; normalise to a positive range (e.g. minmax lower=1) or set "
                "nonpositive='floor'"
            )
        C = np.where(bad, floor, C)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "arithmetic":
            return C, n
        if method == "geometric":
            return np.log(C), n
        if method == "harmonic":
            return 1.0 / C, n
        if p == 0:
            return np.log(C), n
        return np.power(C, p), n


def _inverse(M: np.ndarray, method: str, p: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if method == "arithmetic":
            return M
        if method == "geometric" or (method == "power" and p == 0):
            return np.exp(M)
        if method == "harmonic":
            return 1.0 / M
        return np.power(M, 1.0 / p)


def _copeland(C: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland score: for each other unit, +1 if the weighted majority of the children (on
    which both have data) favours this unit, -1 if it favours the other."""
    diff = np.sign(C[:, :, None, :] - C[:, None, :, :])  # [R, U, U, K]
    diff = np.nan_to_num(diff, nan=0.0)
    pref = np.einsum("ruvk,rk->ruv", diff, w)
    score = np.sign(pref).sum(axis=2)
    allnan = np.isnan(C).all(axis=2)
    return np.where(allnan, np.nan, score)
