"""The training settings' presets agree with the settings they offer values for."""

from graph_engine.model.presets import LEARNING_RATES, OPTIMIZER_LABELS, optimizer_label
from graph_engine.model.settings import OPTIMIZERS, TRAINING_PARAMS, TrainingSettings


def test_every_optimizer_has_a_label_and_unknown_names_show_as_they_are():
    assert list(OPTIMIZER_LABELS) == list(OPTIMIZERS)
    assert optimizer_label("momentum") == "SGD + momentum"
    assert optimizer_label("lbfgs") == "lbfgs"


def test_every_learning_rate_preset_is_a_valid_setting_in_rising_order():
    lr = next(p for p in TRAINING_PARAMS if p.name == "lr")
    assert all(lr.coerce(value) == value for value in LEARNING_RATES)
    assert list(LEARNING_RATES) == sorted(LEARNING_RATES)
    assert TrainingSettings().lr in LEARNING_RATES
