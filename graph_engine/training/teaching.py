"""What the teaching views show over time, recorded at every epoch.

The training process adds these few numbers to each epoch's row of the
history, whatever is on screen, so a view opened after the run draws every
epoch of it: the gradient norm of each layer (the vanishing-gradient
lesson), the size of each layer's weights, and the test set's confusion
counts. Each costs one pass over a bounded part of the data.
"""

from __future__ import annotations

import math

import torch

from ..core.limits import MAX_CONFUSION_CLASSES
from . import inspection
from .trainer import Trainer

GRADIENT_SAMPLES = 512  # the gradient norms are taken on this many training samples



def record(trainer: Trainer) -> dict:
    """The teaching numbers of the trainer's current weights."""
    row: dict = {"grad_norms": gradient_norms(trainer), "weight_norms": weight_norms(trainer)}
    data = trainer.data
    if data.info.is_classification and data.info.classes <= MAX_CONFUSION_CLASSES:
        classes, net = data.info.classes, trainer.net
        row["confusion"] = {
            "test": inspection.confusion(net, data.x_test, data.y_test, classes).tolist(),
            "train": inspection.confusion(net, data.x_train, data.y_train, classes).tolist()}
    return row


def gradient_norms(trainer: Trainer) -> dict[str, float]:
    """Block id -> norm of the loss gradient over that block's parameters, on the
    first :data:`GRADIENT_SAMPLES` training samples, with the model in eval mode
    (Dropout off, BatchNorm's running statistics untouched) and the run's random
    numbers left as they were."""
    model = trainer.model
    was_training = model.training
    model.eval()
    try:
        with torch.random.fork_rng(devices=[]):
            return trainer.gradient_norms(GRADIENT_SAMPLES)
    finally:
        model.train(was_training)


def weight_norms(trainer: Trainer) -> dict[str, float]:
    """Block id -> 2-norm of the block's weight matrices (parameters of two or
    more dimensions); blocks with none are left out."""
    norms = {}
    for block_id, module in trainer.net.modules.items():
        weights = [p.detach() for p in module.parameters() if p.dim() >= 2]
        if weights:
            norms[block_id] = math.sqrt(sum(float((w * w).sum()) for w in weights))
    return norms
