"""Pipeline steps: scikit-learn transformers (``fit``/``transform``/``fit_transform``,
``get_params``/``set_params``, ``sklearn.base.clone``) on a frame of units x codes."""

from coalign.governance.steps.aggregate import Aggregate
from coalign.governance.steps.base import Context, Step
from coalign.governance.steps.denominate import Denominate
from coalign.governance.steps.impute import Impute
from coalign.governance.steps.normalise import Normalise
from coalign.governance.steps.outliers import TreatOutliers
from coalign.governance.steps.screen import Screen
from coalign.governance.steps.weighting import Weight

__all__ = [
    "Aggregate",
    "Context",
    "Denominate",
    "Impute",
    "Normalise",
    "Screen",
    "Step",
    "TreatOutliers",
    "Weight",
]
