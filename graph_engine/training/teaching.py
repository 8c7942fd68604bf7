"""What the teaching views show over time, recorded at every epoch.

The training process adds these few numbers to the rows of the history it
sends, whatever is on screen, so a view opened after the run draws the whole
of it: the gradient norm of each layer (the vanishing-gradient lesson), the
size of each layer's weights, and the confusion counts of both sets. At a
set pace every epoch has them; as fast as possible, an epoch every 50 ms
and the last of each batch of rows (see ``Server.record_teaching``). They cost about a fifth of a
Playground epoch: a fast-path backward pass over at most
:data:`GRADIENT_SAMPLES` samples, and counts from the outputs the epoch's
evaluation already computed.
"""

from __future__ import annotations

import math

import torch

from ..core.epochs import TeachingNumbers
from ..core.limits import MAX_CONFUSION_CLASSES
from . import inspection
from .metrics import confusion_matrix
from .trainer import Trainer

GRADIENT_SAMPLES = 256  # the gradient norms are taken on this many training samples



def record(trainer: Trainer) -> TeachingNumbers:
    """The teaching numbers of the trainer's current weights."""
    row = TeachingNumbers(grad_norms=gradient_norms(trainer),
                          weight_norms=weight_norms(trainer))
    data = trainer.data
    if data.info.is_classification and data.info.classes <= MAX_CONFUSION_CLASSES:
        row["confusion"] = {part: confusion(trainer, part) for part in ("test", "train")}
    return row


def confusion(trainer: Trainer, part: str) -> list[list[int]]:
    """Counts of (true class, predicted class) on one set, from the outputs the
    epoch's evaluation computed (or a fresh evaluation, when there is none)."""
    data = trainer.data
    labels = data.y_test if part == "test" else data.y_train
    out, info = trainer.outputs.get(part), data.info
    if out is None:
        x = data.x_test if part == "test" else data.x_train
        return inspection.confusion(trainer.net, x, labels, info.classes, info.signed).tolist()
    return confusion_matrix(out, labels, trainer.net.loss_spec, info.classes,
                            info.signed).tolist()


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
            return trainer.measures.gradient_norms(GRADIENT_SAMPLES)
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
