"""The index pipeline: an ordered list of named steps whose settings are recorded, so the whole
index is rebuilt whenever any setting (or the data) changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sklearn.base import clone

from coalign.governance.data import CrossSection, IndexData
from coalign.governance.framework import Framework
from coalign.governance.steps import (
    Aggregate,
    Context,
    Denominate,
    Impute,
    Normalise,
    Screen,
    Step,
    TreatOutliers,
    Weight,
)
from coalign.io import InputError

STEP_TYPES: dict[str, type[Step]] = {
    "denominate": Denominate,
    "screen": Screen,
    "impute": Impute,
    "outliers": TreatOutliers,
    "normalise": Normalise,
    "weight": Weight,
    "aggregate": Aggregate,
}

Progress = Callable[[str, int, int], None]


def default_steps() -> list[tuple[str, Step]]:
    """Denominate (framework's denominators) -> screen -> impute (none) -> outliers (none)
    -> min-max 0-100 -> expert weights -> arithmetic mean."""
    return [
        ("denominate", Denominate()),
        ("screen", Screen()),
        ("impute", Impute("none")),
        ("outliers", TreatOutliers("none")),
        ("normalise", Normalise("minmax")),
        ("weight", Weight("expert")),
        ("aggregate", Aggregate("arithmetic")),
    ]


def rank_desc(df: pd.DataFrame) -> pd.DataFrame:
    """Rank 1 = highest score, ties share the best rank; missing stays missing."""
    return df.rank(ascending=False, method="min")


@dataclass
class IndexResults:
    """Everything one build produced. Scores are per unit and per node (indicators hold their
    normalised values, aggregates their aggregated scores); ``log`` lists every exclusion and
    treatment."""

    framework: Framework
    data: CrossSection
    stages: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    ranks: pd.DataFrame
    weights: dict[str, float]
    log: pd.DataFrame
    settings: list[dict[str, Any]]
    fingerprint: str
    excluded_units: list[str] = field(default_factory=list)
    outlier_report: pd.DataFrame | None = None

    @property
    def index_code(self) -> str:
        """The root's code."""
        return self.framework.root

    @property
    def index(self) -> pd.Series:
        """The index score of each ranked unit."""
        return self.scores[self.index_code]

    @property
    def normalised(self) -> pd.DataFrame:
        """The normalised indicators that went into aggregation."""
        return self.scores[self.framework.indicators]

    def unit_name(self, unit: str) -> str:
        """The unit's display name."""
        return self.data.unit_names.get(unit, unit)

    def tiers(self) -> pd.Series:
        """Each unit's tier by the framework's thresholds (empty when it defines none)."""
        if not self.framework.tiers:
            return pd.Series(dtype=object)
        return self.index.map(self.framework.tier_of)

    def ranking(self) -> pd.DataFrame:
        """The ranking table: rank, unit, name, index score, tier, and each pillar's score."""
        out = pd.DataFrame(
            {
                "rank": self.ranks[self.index_code].astype(int).to_numpy(),
                "unit": [str(u) for u in self.index.index],
                "name": [self.unit_name(u) for u in self.index.index],
                "score": self.index.round(2).to_numpy(),
            }
        )
        if self.framework.tiers:
            out["tier"] = self.tiers().to_numpy()
        for p in self.framework.pillars:
            out[p] = self.scores[p].round(2).to_numpy()
        return out.sort_values(["rank", "unit"]).reset_index(drop=True)

    # Analyses live in coalign.governance.analysis; these are shortcuts.
    def strengths_weaknesses(self, unit: str, n: int = 3) -> dict[str, pd.DataFrame]:
        """The unit's best and worst indicators by rank among units."""
        from coalign.governance.analysis import strengths_weaknesses

        return strengths_weaknesses(self, unit, n=n)

    def to_excel(self, path: str) -> str:
        """All results as one workbook (atomic write)."""
        from coalign.governance.export import export_excel

        return export_excel(self, path)

    def to_csv(self, directory: str) -> list[str]:
        """All results as CSV files in a directory."""
        from coalign.governance.export import export_csv

        return export_csv(self, directory)


class IndexPipeline:
    """Named steps run in order on one year of data; see :func:`default_steps`.

    ``get_params``/``set_params`` use scikit-learn's ``<step>__<setting>`` names. ``build``
    runs everything and remembers the data; ``results`` returns the last build, rebuilding
    first if any setting changed since (the fingerprint covers every setting, the framework's
    weights and the data).
    """

    def __init__(
        self,
        framework: Framework,
        steps: Sequence[tuple[str, Step] | Step] | None = None,
    ) -> None:
        self.framework = framework
        named: list[tuple[str, Step]] = []
        for s in steps if steps is not None else default_steps():
            pair = s if isinstance(s, tuple) else (s.name, s)
            if not isinstance(pair[1], Step):
                raise InputError(f"pipeline step {pair[0]!r} is not a Step")
            named.append(pair)
        names = [n for n, _ in named]
        if len(set(names)) != len(names):
            raise InputError(f"duplicate step names in the pipeline: {names}")
        if not named or not isinstance(named[-1][1], Aggregate):
            raise InputError("the last pipeline step must be an Aggregate")
        self.steps = named
        self._data: CrossSection | None = None
        self._results: IndexResults | None = None

    # -- settings --------------------------------------------------------------------------
    @property
    def named_steps(self) -> dict[str, Step]:
        """Steps by name."""
        return dict(self.steps)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``{step: Step, step__setting: value, ...}``."""
        out: dict[str, Any] = {}
        for name, step in self.steps:
            out[name] = step
            if deep:
                for k, v in step.get_params().items():
                    out[f"{name}__{k}"] = v
        return out

    def set_params(self, **params: Any) -> IndexPipeline:
        """Change settings (``impute__method="em"``) or swap a step (``impute=Impute(...)``)."""
        steps = dict(self.steps)
        per_step: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, setting = key.partition("__")
            if name not in steps:
                raise InputError(f"pipeline has no step {name!r} (steps: {', '.join(steps)})")
            if setting:
                per_step.setdefault(name, {})[setting] = value
            else:
                if not isinstance(value, Step):
                    raise InputError(f"{name}= must be a Step, got {type(value).__name__}")
                steps[name] = value
        # One call per step, so settings that only make sense together are validated together.
        for name, settings in per_step.items():
            steps[name].set_params(**settings)
        self.steps = [(n, steps[n]) for n, _ in self.steps]
        return self

    def settings(self) -> list[dict[str, Any]]:
        """Every step with its settings, JSON-safe (recorded in results and reports)."""
        return [{"name": n, **s.settings()} for n, s in self.steps]

    def fingerprint(self, data: CrossSection | None = None) -> str:
        """A hash of the settings, the framework (structure and weights) and the data."""
        fw = self.framework
        src = data if data is not None else self._data
        payload = {
            "settings": self.settings(),
            "framework": [fw.code, sorted((c, n.parent, n.weight) for c, n in fw.nodes.items())],
            "data": src.fingerprint() if src is not None else None,
        }
        return hashlib.sha256(
            json.dumps(payload, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]

    def clone(self) -> IndexPipeline:
        """An unfitted copy with the same settings (each step through ``sklearn.base.clone``)."""
        return IndexPipeline(self.framework, [(n, clone(s)) for n, s in self.steps])

    # -- running ---------------------------------------------------------------------------
    def _section(self, data: CrossSection | IndexData, year: int | None) -> CrossSection:
        return data.cross_section(year) if isinstance(data, IndexData) else data

    def run(
        self,
        data: CrossSection | IndexData,
        *,
        year: int | None = None,
        until: str | None = None,
        progress: Progress | None = None,
    ) -> tuple[pd.DataFrame, Context, dict[str, pd.DataFrame]]:
        """Fit and apply the steps in order (stopping after ``until``); returns the last frame,
        the context and the frame after each step."""
        cs = self._section(data, year)
        ctx = Context(framework=self.framework, groups=cs.groups, denominators=cs.denominators)
        X = cs.values.copy()
        if cs.excluded_indicators:
            for code, why in cs.excluded_indicators:
                ctx.note("import", "exclusion", code, f"indicator excluded: {why}")
            fw, removed = ctx.framework.prune([c for c, _ in cs.excluded_indicators])
            ctx.framework = fw
            X = X[[c for c in X.columns if c in fw.nodes]]
        stages = {"raw": X}
        names = [n for n, _ in self.steps]
        if until is not None and until not in names:
            raise InputError(f"pipeline has no step {until!r}")
        for i, (name, step) in enumerate(self.steps):
            if progress:
                progress(name, i, len(self.steps))
            X = step.fit_transform(X, ctx)
            stages[name] = X
            if name == until:
                break
        if progress:
            progress("done", len(self.steps), len(self.steps))
        return X, ctx, stages

    def build(
        self,
        data: CrossSection | IndexData,
        *,
        year: int | None = None,
        progress: Progress | None = None,
    ) -> IndexResults:
        """Run the whole pipeline and return the results (remembered for ``results``)."""
        cs = self._section(data, year)
        S, ctx, stages = self.run(cs, progress=progress)
        fw = ctx.framework
        root = fw.root
        excluded = [str(u) for u in S.index[S[root].isna().to_numpy()]]
        S = S.loc[S[root].notna()]
        if S.empty:
            raise InputError("no unit has an index score; see the log for exclusions")
        ranks = rank_desc(S)
        outl = self.named_steps.get("outliers")
        self._data = cs
        self._results = IndexResults(
            framework=fw,
            data=cs,
            stages=stages,
            scores=S,
            ranks=ranks,
            weights=dict(ctx.weights or fw.weights()),
            log=ctx.log_frame(),
            settings=self.settings(),
            fingerprint=self.fingerprint(cs),
            excluded_units=excluded,
            outlier_report=getattr(outl, "report_", None),
        )
        return self._results

    @property
    def results(self) -> IndexResults:
        """The last build, rebuilt first if any setting changed since."""
        if self._data is None or self._results is None:
            raise InputError("the pipeline has not been built yet: call build(data)")
        if self._results.fingerprint != self.fingerprint(self._data):
            return self.build(self._data)
        return self._results

    @classmethod
    def from_config(cls, framework: Framework, config: Sequence[dict[str, Any]]) -> IndexPipeline:
        """Build from ``[{"name": "impute", "step": "Impute", "params": {...}}, ...]`` (the
        format of :meth:`settings`) or ``[{"impute": {"method": "em"}}, ...]``."""
        by_class = {t.__name__: t for t in STEP_TYPES.values()}
        steps: list[tuple[str, Step]] = []
        for i, entry in enumerate(config):
            if "step" in entry or "name" in entry:
                name = str(entry.get("name") or entry["step"]).lower()
                kind = entry.get("step", name)
                params = entry.get("params", {}) or {}
            elif len(entry) == 1:
                name, params = next(iter(entry.items()))
                kind = name
                params = params or {}
            else:
                raise InputError(f"pipeline config entry {i}: expected one step, got {entry!r}")
            typ = by_class.get(kind) or STEP_TYPES.get(str(kind).lower())
            if typ is None:
                raise InputError(
                    f"pipeline config entry {i}: unknown step {kind!r} "
                    f"(steps: {', '.join(STEP_TYPES)})"
                )
            try:
                steps.append((name, typ(**params)))
            except TypeError as e:
                raise InputError(f"pipeline config entry {i} ({name}): {e}") from None
        return cls(framework, steps)
