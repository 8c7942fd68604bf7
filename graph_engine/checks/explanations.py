"""The "Why?" texts: a short explanation for students of each diagnostic code.

Written to be read in a dialog next to the diagram: what is wrong, why it
matters for learning, and what to do. Markdown.
"""

from __future__ import annotations

EXPLANATIONS: dict[str, str] = {
    "no-input": """**Every network starts from data.**

The Input block stands for the data set's features: one row per sample. Without it
there is nothing to compute on. Add an Input from the Data group and set *features*
to the number of columns of your data set.""",
    "cycle": """**A feedforward network has no loops.**

Data flows one way: from the Input, through the layers, to the loss. A loop would
make a block's output depend on itself, which a single forward pass cannot
compute. (Networks with loops over *time* exist — recurrent networks — but they are
built differently.) Delete one wire of the loop.""",
    "port-open": """**Every input port needs a wire.**

A block computes from what flows into it. With nothing wired in, PyTorch would have
nothing to pass to the layer. Wire an output port (right side of a block) into it.""",
    "port-overfull": """**A layer reads one tensor.**

A Linear layer or an activation takes exactly one input. To combine two tensors,
decide how: **Add** sums tensors of equal size (a residual connection), **Concat**
puts their features side by side.""",
    "unreachable": """**The data cannot reach these blocks.**

They are wired, but what feeds them is not connected to an Input, so no sample can
flow through them. Fix the problems further upstream first.""",
    "no-loss": """**Learning needs a loss.**

Training adjusts the weights to make a number — the loss — smaller. Without a loss
block there is nothing to minimise. Use **CrossEntropyLoss** for classification and
**MSELoss** for regression, and wire the network's last layer into it.""",
    "shape-mismatch": """**The sizes do not fit.**

Every wire carries a batch of vectors, shown as N×F (N samples, F features). A loss
for classification needs one output per class; Add needs equal sizes. Change the
*out_features* of the layer that sets the size.""",
    "dataset-features": """**The Input must match the data.**

The Input block's *features* says how many numbers describe one sample. It must
equal the number of columns of the data set, or the first layer's weight matrix has
the wrong shape.""",
    "loss-target": """**The loss must fit the task.**

Classification losses (CrossEntropyLoss, NLLLoss, BCELoss, MultiMarginLoss) compare
predictions with class labels; regression losses (MSELoss, L1Loss, HuberLoss) with
real numbers. BCELoss and BCEWithLogitsLoss are for exactly two classes.""",
    "label-form": """**The labels must come in the form the loss reads.**

A data set with two classes can present its labels as class indices (0 and 1) or,
as TensorFlow Playground does, as −1 and +1. CrossEntropyLoss, NLLLoss and
MultiMarginLoss read class indices and the BCE losses read 0 and 1, so they need
the labels as indices. −1/+1 labels are for one output unit trained with a squared
loss: a Tanh output (it ranges over (−1, 1)) into MSELoss; the sign of the output
is the predicted class.""",
    "binary-loss-outputs": """**Binary losses read one number per sample.**

BCELoss compares one probability p (of class 1) with a label 0 or 1, so the network
must end in a single unit. For several classes, use one output per class and
CrossEntropyLoss.""",
    "softmax-before-cross-entropy": """**CrossEntropyLoss expects raw scores (logits).**

PyTorch's CrossEntropyLoss computes log-softmax internally: it is LogSoftmax and
NLLLoss in one, written to be numerically stable. If a Softmax comes first, the
scores are squashed into probabilities and then squashed again. The gradients get
small, and the network learns slowly or gets stuck.

Remove the Softmax and wire the last Linear layer straight into the loss. When you
want probabilities to read, apply softmax to the output after training.

The same holds for MultiMarginLoss (the hinge loss): it asks the correct class's
score to lead the others by a margin. Probabilities lie between 0 and 1, so a
margin of 1 can never be met and the loss never settles.""",
    "activation-before-cross-entropy": """**CrossEntropyLoss wants scores that can be any number.**

It turns the scores z into probabilities itself, with softmax: p_k = e^(z_k) / Σ e^(z_j).
To be sure of the right class, its score must lie far above the others, so the other
scores must be free to fall far below it.

After a ReLU no score can be negative, and a unit whose input is negative outputs
exactly 0 with slope 0: its class's score sticks at 0 and no gradient passes back
through it. A Sigmoid squeezes every score into (0, 1): with two classes the right one
can never get more than e / (e + 1) ≈ 0.73 of the probability, so the loss cannot fall
below about 0.31 however long the network trains (a Tanh, in (−1, 1): 0.88 and 0.13).

The last layer of a classifier is a Linear layer, wired straight into the loss; the
activations belong between the hidden layers.""",
    "stacked-linear": """**Two linear layers are one linear layer.**

A Linear layer computes W·x + b. Two in a row compute W₂(W₁x + b₁) + b₂ =
(W₂W₁)x + (W₂b₁ + b₂) — again just a matrix times x plus a vector. The extra layer
adds parameters but no power. An activation such as ReLU between them breaks the
linearity; that is what lets deep networks bend their decision boundaries.""",
    "no-nonlinearity": """**Without activations, the whole network is linear.**

However many Linear layers you stack, their composition is one linear map, so the
network can only separate classes with a straight line (or plane). XOR and the
circle cannot be solved that way. Add a nonlinear activation (ReLU, Tanh, ...)
after each hidden layer.""",
    "sigmoid-before-bce-with-logits": """**BCEWithLogitsLoss applies the sigmoid itself.**

It expects a raw score and computes sigmoid and binary cross-entropy together, in a
numerically stable way. A Sigmoid before it squashes the output twice. Remove the
Sigmoid — or keep it and use BCELoss instead.""",
    "bce-without-sigmoid": """**BCELoss takes probabilities.**

Binary cross-entropy computes log(p) and log(1 − p), which only make sense for p
between 0 and 1. A Linear layer can output any number. Put a Sigmoid before
BCELoss, or feed the raw score to BCEWithLogitsLoss.""",
    "nll-without-log-softmax": """**NLLLoss takes log-probabilities.**

NLLLoss simply picks −z[y] for the true class y. That is the cross-entropy only if
z holds log-probabilities, which LogSoftmax produces. Add a LogSoftmax before it,
or use CrossEntropyLoss on raw scores.""",
    "bounded-regression-output": """**A regression output must be able to reach the targets.**

ReLU never outputs negative numbers; Sigmoid only outputs values between 0 and 1;
Tanh between −1 and 1. If the targets lie outside that range, the network cannot
predict them however long it trains. End a regression network with a Linear layer.""",
    "mse-on-classification": """**Classification has a better loss than MSE.**

MSE against one-hot labels does train, but when a sigmoid or softmax output is
confidently wrong its gradient is tiny, so learning is slow. Cross-entropy
punishes confident mistakes hard and gives strong gradients. Use CrossEntropyLoss.""",
    "softmax-dim": """**Softmax must run over the classes.**

The output has shape N×C: one row per sample, one column per class. Softmax over
dim=1 makes each row sum to one — a probability distribution per sample. Over dim=0
it mixes the samples of the batch, so one sample's prediction depends on the
others.""",
    "step-activation": """**A step has no slope to follow.**

Gradient descent changes each weight in proportion to how much the loss changes
when the weight changes. The step function is flat everywhere (its derivative is
0, and undefined at the jump), so no gradient passes through it and the layers
before it never learn. That is why the perceptron's step was replaced by smooth
functions such as Sigmoid.""",
    "deep-saturating-stack": """**Deep stacks of Sigmoid or Tanh make gradients vanish.**

Backpropagation multiplies the derivatives of every layer. The sigmoid's derivative
is at most 0.25, so after several layers the gradient reaching the first layers is
tiny and they barely learn. Watch the gradient-norm plot: the early layers' curves
sit orders of magnitude below the last ones. ReLU's derivative is 1 for positive
inputs, which is why deep networks use it.""",
    "diverging-loss": """**The loss is growing: the steps are too big.**

Each step moves the weights by the learning rate times the gradient. If the
learning rate is too large, a step overshoots the valley and lands higher on the
other side, and the next step overshoots further. Divide the learning rate by 10
and reset the weights.""",
    "stalled-loss": """**The loss is not moving.**

Either the steps are too small (raise the learning rate), or the gradients vanish
before they reach the weights (see the gradient-norm plot; try ReLU instead of
Sigmoid, or a shallower network), or the network cannot represent the data.""",
    "dead-end": """**This output goes nowhere.**

The block computes something that neither the loss nor the prediction uses, so it
does not take part in training. Wire it onward or delete it.""",
    "single-merge-input": """**A merge needs two or more inputs.**

Add and Concat combine tensors; with a single input they pass it through
unchanged. Wire a second tensor in, or delete the block.""",
    "several-losses": """**One loss at a time.**

NetCanvas trains one objective. Keep the loss that fits your task and delete the
others.""",
    "ambiguous-output": """**Which output is the prediction?**

Several blocks end the network, so it is unclear which one predicts. Wire the
prediction into a loss, or mark it with an Output block.""",
    "batch-too-small": """**Some blocks learn from the whole batch.**

BatchNorm1d normalises each feature with the mean and variance of the current
batch. One sample has no variance, so a batch of one cannot be normalised. Raise
the batch size in the training settings to 2 or more (larger batches give steadier
statistics).""",
    "too-large": """**This network would not fit in memory.**

Training keeps every weight four times (the weight, its gradient and the
optimizer's running averages), plus the output of every block for a batch. A
Linear layer of 4096 × 4096 units alone has 16.8 million weights, about 268 MB
while training. Use fewer or narrower layers: networks for these data sets need a
few hundred to a few thousand weights.""",
}


def explanation(code: str) -> str:
    return EXPLANATIONS.get(code, "")
