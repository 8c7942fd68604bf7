"""Build the example diagrams in resources/examples/ with the public API.

    python -m tools.make_examples            write every example
    python -m tools.make_examples NAME ...   write only these (e.g. xor spiral)

Each example is a function that draws one network with ``Diagram.add`` and
``Diagram.connect``, gives it a title, a description for students, a data
set and training settings, and lays its blocks out left to right. The
settings were chosen by training each example and measuring it (see
tests/engine/training/test_examples.py for the bounds they must meet), so edit them here and
regenerate rather than editing the JSON files by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import graph_engine as ge
from graph_engine.core.files import write_atomic
from graph_engine.model.layout import layered_positions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
STEP = 240.0  # horizontal distance between neighbouring blocks (room for the wire shape)
BRANCH = 130.0  # vertical offset of a side branch, and of a Target below its loss
MOONS = ge.DatasetSpec("moons", noise=0.1)  # a little noise, so the moons look real

Layer = tuple  # ("Linear", {"out_features": 8}) or ("ReLU",)


class Sketch:
    """A diagram being drawn left to right: each block goes one column on."""

    def __init__(self, title: str, description: str) -> None:
        self.diagram = ge.Diagram()
        self.diagram.title = title
        self.diagram.description = " ".join(description.split())

    def place(self, type_: str, column: float, row: float = 0.0, **params) -> str:
        """Add a block at ``column`` (in steps) and ``row`` (in branch offsets)."""
        block_id = self.diagram.add(type_, **params)
        self.diagram.move(block_id, column * STEP, row * BRANCH)
        return block_id

    def chain(self, layers: list[Layer], start: str | None = None, column: float = 0.0,
              row: float = 0.0) -> list[str]:
        """Place ``layers`` one column apart, each wired to the one before it;
        the first is wired from ``start`` when given."""
        ids, previous = [], start
        for offset, (type_, *params) in enumerate(layers):
            block_id = self.place(type_, column + offset, row, **(params[0] if params else {}))
            if previous is not None:
                self.diagram.connect(previous, block_id)
            ids.append(block_id)
            previous = block_id
        return ids

    def target(self, loss_id: str) -> str:
        """A Target block below and left of ``loss_id``, wired to its target port."""
        x, y = self.diagram.block(loss_id).position
        block_id = self.diagram.add("Target")
        self.diagram.move(block_id, x - STEP, y + BRANCH)
        self.diagram.connect(block_id, loss_id, dst_port="target")
        return block_id

    def finish(self, dataset, **training) -> ge.Diagram:
        """Set the data set and training, and lay the blocks out as Auto Layout
        does: a long chain wraps into bands, so it opens large enough to read."""
        for block_id, position in layered_positions(self.diagram).items():
            self.diagram.move(block_id, *position)
        self.diagram.dataset = dataset
        self.diagram.training = ge.TrainingSettings(**training)
        return self.diagram


# Each example's pace is one the toolbar offers, of at least 20 optimizer steps a
# second (so the views draw 20 frames a second or more), chosen with its learning
# rate so that the interesting part (the boundary forming, the loss falling) takes
# 10-30 s and is still moving 6 s after Play (tests/engine/training/test_examples.py).


def linear(n: int) -> Layer:
    return ("Linear", {"out_features": n})


def mlp(inputs: int, hidden: list[int], activation: str, outputs: int, *tail: Layer) \
        -> list[Layer]:
    """Input, then Linear + activation per hidden width, then the output Linear."""
    layers: list[Layer] = [("Input", {"features": inputs})]
    for width in hidden:
        layers += [linear(width), (activation,)]
    return [*layers, linear(outputs), *tail]


# ------------------------------------------------------------------ the examples

def perceptron() -> ge.Diagram:
    s = Sketch("The perceptron", """
        One Linear unit followed by a Sigmoid: y = sigmoid(w·x + b), trained with binary
        cross-entropy. Press play and watch the decision boundary: it is always a straight
        line, which is enough here because the two Gaussian clouds can be split by one.
        A single neuron is a linear classifier with a probability on top.""")
    s.chain([("Input", {"features": 2}), linear(1), ("Sigmoid",), ("BCELoss",)])
    return s.finish("gauss", optimizer="sgd", lr=0.005, batch_size=10, epochs=20, seed=0,
                    pace=1.0)


def two_layer_net() -> ge.Diagram:
    s = Sketch("TwoLayerNet", """
        The lecture's TwoLayerNet: Linear, ReLU, Linear, with CrossEntropyLoss on the two
        raw scores. Eight hidden ReLU units bend the boundary into a polygon that fences in
        the inner disc. Watch the test accuracy climb as the corners of the polygon find
        the ring.""")
    s.chain(mlp(2, [8], "ReLU", 2, ("CrossEntropyLoss",)))
    return s.finish("circle", optimizer="adam", lr=0.005, batch_size=10, epochs=30, seed=0,
                    pace=1.0)


def binary_classifier_blobs() -> ge.Diagram:
    s = Sketch("Feedforward binary classifier", """
        The lecture's feedforward network: 10 hidden ReLU units and one Sigmoid output,
        trained with BCELoss and plain SGD on three clusters labelled 0 (one cluster) and 1
        (the other two). The output reads as the probability of class 1. Watch the loss
        fall as the boundary settles between the lone cluster and the other two.""")
    s.chain(mlp(2, [10], "ReLU", 1, ("Sigmoid",), ("BCELoss",)))
    return s.finish("blobs-binary", optimizer="sgd", lr=0.01, batch_size=10, epochs=30, seed=0,
                    pace=1.0)


def polynomial_linear() -> ge.Diagram:
    s = Sketch("Polynomial: a straight line", """
        A single Linear layer tries to fit f(x) = 4x² + 2x + 1. However long it trains, it
        can only draw a straight line through the parabola, so the test MSE stays high.
        Compare it with the MLP version: the lesson is that a linear model cannot bend,
        unless you hand it x² as an extra feature.""")
    s.chain([("Input", {"features": 1}), linear(1), ("MSELoss",)])
    return s.finish("polynomial", optimizer="adam", lr=0.01, batch_size=10, epochs=25, seed=0,
                    pace=1.0)


def polynomial_mlp() -> ge.Diagram:
    s = Sketch("Polynomial: an MLP", """
        The same f(x) = 4x² + 2x + 1, now with a hidden layer of 16 ReLU units. Each unit
        adds a kink, so the output is a bent line that hugs the parabola, and the test MSE
        falls close to zero. This is universal approximation at work: enough hidden units
        can follow any smooth curve.""")
    s.chain(mlp(1, [16], "ReLU", 1, ("MSELoss",)))
    return s.finish("polynomial", optimizer="adam", lr=0.005, batch_size=10, epochs=25, seed=0,
                    pace=1.0)


XOR = ge.DatasetSpec("xor", samples=200)


def xor_no_hidden() -> ge.Diagram:
    s = Sketch("XOR without a hidden layer", """
        A linear classifier on XOR: opposite corners share a class, and no straight line
        separates them. Press play: the loss falls from where the random starting line put
        it (confidently wrong about some corners) to about log 2 ≈ 0.69, what a coin toss
        scores, and stays there; the accuracy wanders around chance, well short of the 75 %
        a line could get by cutting off one corner. On XOR's symmetric corners the best a
        line can do for the cross-entropy is no line at all: every weight near zero, the
        same 50 % for every point. This is the famous limit of the single-layer
        perceptron; the XOR example adds the hidden layer that fixes it.""")
    s.chain([("Input", {"features": 2}), linear(2), ("CrossEntropyLoss",)])
    return s.finish(XOR, optimizer="adam", lr=0.003, batch_size=10, epochs=20, seed=0, pace=2.0)


def xor() -> ge.Diagram:
    s = Sketch("XOR with a hidden layer", """
        One hidden layer of 16 ReLU units solves XOR: the hidden units draw several lines and
        the output layer combines them into the four quadrants. Watch the boundary turn
        from one straight line into a cross, and the test accuracy pass 95 %. Compare it
        with the example without a hidden layer.""")
    s.chain(mlp(2, [16], "ReLU", 2, ("CrossEntropyLoss",)))
    # Playground's 500 points and a small step: the boundary bends over some twenty
    # seconds at one epoch (25 optimizer steps) a second, slow enough to watch it happen
    d = s.finish(ge.DatasetSpec("xor"), optimizer="adam", lr=0.001, batch_size=10, epochs=24,
                 seed=0, pace=1.0)
    d.add_note("Each ReLU unit draws one straight line over the plane (its tile below it). "
               "Linear 2 adds them up into the cross.", (250, 160))  # beside the loss
    return d


def spiral() -> ge.Diagram:
    s = Sketch("Two spirals", """
        Two interleaved spirals are hard: the boundary must wind around the origin. Three
        hidden layers of 16 ReLU units, trained with Adam, manage it. Watch the boundary
        start as a few straight cuts and gradually curl along the arms until the test
        accuracy passes 95 %. Try removing a layer and see how much harder it becomes.""")
    s.chain(mlp(2, [16, 16, 16], "ReLU", 2, ("CrossEntropyLoss",)))
    return s.finish("spiral", optimizer="adam", lr=0.005, batch_size=10, epochs=60, seed=0,
                    pace=2.0)


DEEP_WIDTHS = [8] * 6


def deep(activation: str) -> Callable[[], ge.Diagram]:
    def build() -> ge.Diagram:
        if activation == "Sigmoid":
            s = Sketch("Deep net with Sigmoid: vanishing gradients", """
                Six hidden layers of 8 units, each followed by a Sigmoid. The sigmoid's
                slope is at most 1/4, so the gradient shrinks at every layer on its way
                back. Open the gradient-norm plot: the first layers get gradients orders of
                magnitude smaller than the last, and the loss barely moves. Compare it with
                the same network with ReLU.""")
        else:
            s = Sketch("Deep net with ReLU", """
                The same six hidden layers of 8 units as the Sigmoid example, with ReLU
                instead. ReLU's slope is 1 for positive inputs, so the gradient reaches the
                first layers at a useful size. Open the gradient-norm plot and compare:
                the layers learn together and the circle is found.""")
        s.chain(mlp(2, DEEP_WIDTHS, activation, 2, ("CrossEntropyLoss",)))
        return s.finish("circle", optimizer="momentum", lr=0.03, batch_size=10, epochs=30,
                        seed=0, pace=1.0)

    return build


def softmax_before_cross_entropy() -> ge.Diagram:
    s = Sketch("Mistake: Softmax before CrossEntropyLoss", """
        A classic mistake: a Softmax in front of CrossEntropyLoss. The loss applies
        log-softmax itself, so the scores are squashed twice and the gradients stay small;
        the problems panel warns about it. Press play: the loss can never fall below about
        0.31 and the accuracy climbs slowly. Delete the Softmax, wire the last Linear
        straight into the loss, and compare.""")
    s.chain(mlp(2, [8], "ReLU", 2, ("Softmax", {"dim": 1}), ("CrossEntropyLoss",)))
    return s.finish("circle", optimizer="sgd", lr=0.03, batch_size=10, epochs=20, seed=0,
                    pace=1.0)


def stacked_linear() -> ge.Diagram:
    s = Sketch("Mistake: stacked Linear layers", """
        Two Linear layers with no activation between them. Their product is one matrix, so
        the network is still a linear classifier, and the problems panel says so. Press play:
        the boundary stays a straight line and the test accuracy stays near chance on the
        circle. Put a ReLU between the layers and train again.""")
    s.chain([("Input", {"features": 2}), linear(8), linear(2), ("CrossEntropyLoss",)])
    return s.finish("circle", optimizer="adam", lr=0.03, batch_size=10, epochs=40, seed=0,
                    pace=2.0)


def circle() -> ge.Diagram:
    s = Sketch("TensorFlow Playground's default network", """
        The network TensorFlow Playground opens with: two inputs and hidden layers of 4 and
        2 Tanh units, trained with plain SGD at learning rate 0.03 in batches of 10 (here
        the output layer gives one score per class). Watch the boundary curve from a
        straight line into a closed loop around the inner disc; it takes a while at this
        small learning rate, so be patient. Even two units in the last hidden layer are
        enough for this data.""")
    s.chain(mlp(2, [4, 2], "Tanh", 2, ("CrossEntropyLoss",)))
    return s.finish("circle", optimizer="sgd", lr=0.03, batch_size=10, epochs=150, seed=0,
                    pace=10.0)


def residual() -> ge.Diagram:
    s = Sketch("A residual connection", """
        A skip connection: the hidden features go through Linear and ReLU and are then
        added back to themselves, so that block only has to learn a correction. Gradients
        flow back through the Add unchanged, which is why very deep residual networks
        still train. Watch the moons being separated by a smooth curve.""")
    d = s.diagram
    first = s.chain([("Input", {"features": 2}), linear(16), ("ReLU",)])
    branch = s.chain([linear(16), ("ReLU",)], start=first[-1], column=3, row=-1)
    add = s.place("Add", 5)
    d.connect(first[-1], add)
    d.connect(branch[-1], add)
    s.chain([linear(2), ("CrossEntropyLoss",)], start=add, column=6)
    return s.finish(MOONS, optimizer="adam", lr=0.003, batch_size=10, epochs=30, seed=0,
                    pace=1.0)


CUSTOM_FORMULA = "where(x <= 0, 1 / (1 + alpha * exp(-x)), x)"


def custom_activation() -> ge.Diagram:
    s = Sketch("A custom activation", """
        The lecture's TwoLayerNet with a home-made activation in the second hidden layer:
        x for positive inputs, 1 / (1 + alpha·exp(−x)) for the rest, where alpha is learned
        along with the weights. Select the CustomActivation block while it trains and watch
        alpha change. Any formula in x works, as long as it has a slope for gradient
        descent to follow.""")
    s.chain([("Input", {"features": 2}), linear(16), ("ReLU",), linear(16),
             ("CustomActivation", {"formula": CUSTOM_FORMULA}), linear(2),
             ("CrossEntropyLoss",)])
    return s.finish(MOONS, optimizer="adam", lr=0.003, batch_size=10, epochs=30, seed=0,
                    pace=1.0)


AUTOGRAD_FORMULA = "2*(x+2)**2"


def autograd() -> ge.Diagram:
    s = Sketch("Autograd by hand", """
        The lecture's first autograd example as a diagram: z = 2(x + 2)², one input, no
        weights and no loss, so there is nothing to train. Trace the sample x = 1 (python
        main.py trace autograd.json --x 1): the forward pass gives z = 18, and the backward
        pass gives dz/dx = 4(x + 2) = 12, what x.grad holds after z.backward().""")
    s.chain([("Input", {"features": 1}), ("CustomActivation", {"formula": AUTOGRAD_FORMULA}),
             ("Output",)])
    return s.finish("polynomial", seed=0, pace=20.0)


def backprop_sgd() -> ge.Diagram:
    s = Sketch("Backprop, one step at a time", """
        A network small enough to follow by hand: two inputs, three hidden ReLU units and
        two scores into CrossEntropyLoss, trained by plain SGD at learning rate 0.1. Open
        the Backprop tab (beside Selected block), press Trace and step with Next (F10):
        forward, each block's values; backward from the loss, whose gradient is
        softmax(z) − one-hot(y), through each ReLU (upstream × f′) and each Linear layer
        (dL/dW beside W). Then press Apply one step: with plain SGD every weight moves by
        Δw = −lr · dL/dw, and the Output plot previews the network after the step; Undo
        step brings the run's picture back.""")
    s.chain(mlp(2, [3], "ReLU", 2, ("CrossEntropyLoss",)))
    return s.finish("gauss", optimizer="sgd", lr=0.1, batch_size=10, epochs=20, seed=0,
                    pace=1.0)


def digits() -> ge.Diagram:
    s = Sketch("Hand-written digits", """
        An MLP on 8×8 images of digits: 64 pixel features, 32 hidden ReLU units and 10
        outputs, one score per digit. The Target block shows where the labels enter the
        loss. Watch the training and test accuracy rise within a few epochs and note the
        gap between them: that gap is overfitting.""")
    ids = s.chain(mlp(64, [32], "ReLU", 10, ("CrossEntropyLoss",)))
    s.target(ids[-1])
    return s.finish("digits", optimizer="adam", lr=0.002, batch_size=32, epochs=15, seed=0,
                    pace=1.0)


def regression_gauss() -> ge.Diagram:
    s = Sketch("Regression on Gaussian bumps", """
        A regression network: the target is a landscape of six bumps of alternating sign,
        and the output is one real number per point, trained with mean squared error. The
        last layer is a plain Linear so the output can be any value. Watch the heat map fill
        in the bumps one by one as the test loss falls.""")
    s.chain(mlp(2, [16, 16], "ReLU", 1, ("MSELoss",)))
    return s.finish("reg-gauss", optimizer="adam", lr=0.01, batch_size=10, epochs=30, seed=0,
                    pace=1.0)


def polynomial_features() -> ge.Diagram:
    s = Sketch("Polynomial: a feature map", """
        The lecture's feature map: PolynomialFeatures turns x into [x, x²], and one Linear
        layer on those two columns is linear regression on φ(x). Plain gradient descent
        finds the exact answer, f(x) = 4x² + 2x + 1: select the Linear block after training
        and read the weights 2 and 4 and the bias 1. The model is still linear in its
        weights; only the features bend.""")
    s.chain([("Input", {"features": 1}),
             ("PolynomialFeatures", {"degree": 2, "include_bias": False}), linear(1),
             ("MSELoss",)])
    return s.finish("polynomial", optimizer="sgd", lr=0.05, batch_size=10, epochs=24, seed=0,
                    pace=20.0, pace_unit="steps")


def circle_squares() -> ge.Diagram:
    s = Sketch("Circle: a linear model on x1², x2²", """
        TensorFlow Playground's trick for the circle without a hidden layer: feed the
        squares x1² and x2² instead of x1 and x2. Both Input blocks read the same two
        features, and Multiply takes their product feature by feature, so the Linear layer
        sees [x1², x2²] and draws a straight line in that space, which is a circle in the
        plane. The test accuracy reaches 100 % within a few epochs.""")
    first = s.place("Input", 0, -0.5, features=2)
    second = s.place("Input", 0, 0.5, features=2)
    product = s.place("Multiply", 1)
    s.diagram.connect(first, product)
    s.diagram.connect(second, product)
    s.chain([linear(2), ("CrossEntropyLoss",)], start=product, column=2)
    return s.finish("circle", optimizer="sgd", lr=0.008, batch_size=10, epochs=20, seed=0,
                    pace=1.0)


def spiral_features() -> ge.Diagram:
    s = Sketch("Spiral with Playground's seven inputs", """
        Playground offers x1, x2, x1², x2², x1·x2, sin x1 and sin x2 as inputs: here
        PolynomialFeatures makes the first five, a CustomActivation sin(x) the last two,
        and Concat puts them side by side. With these features one hidden layer of 8 Tanh
        units passes 90 % test accuracy on the spiral, where the same layer on x1 and x2
        alone stays near chance.""")
    d = s.diagram
    x = s.place("Input", 0, features=2)
    poly = s.place("PolynomialFeatures", 1, -0.5, degree=2, include_bias=False)
    sine = s.place("CustomActivation", 1, 0.5, formula="sin(x)")
    both = s.place("Concat", 2)
    for block in (poly, sine):
        d.connect(x, block)
        d.connect(block, both)
    s.chain([linear(8), ("Tanh",), linear(2), ("CrossEntropyLoss",)], start=both, column=3)
    return s.finish("spiral", optimizer="adam", lr=0.01, batch_size=10, epochs=60, seed=0,
                    pace=2.0)


def playground_default() -> ge.Diagram:
    s = Sketch("TensorFlow Playground's default, as in Playground", """
        Playground's own configuration: hidden layers of 4 and 2 Tanh units, one Tanh
        output, and the square loss against labels −1 and +1, trained by plain SGD in
        batches of 10 that keep the data set's order (shuffle off), from Playground's
        starting weights (init: playground, weights uniform in ±0.5 and biases 0.1). The
        learning rate is 0.015 where Playground says 0.03: Playground's loss is ½(ŷ − y)²
        and PyTorch's MSELoss is mean((ŷ − y)²), whose gradient is twice as large, so half
        the rate takes Playground's steps. The data set presents the circle's two classes
        as −1/+1 (its labels option), and the sign of the output is the predicted class.""")
    s.chain(mlp(2, [4, 2], "Tanh", 1, ("Tanh",), ("MSELoss",)))
    return s.finish(ge.DatasetSpec("circle", labels="signed"), optimizer="sgd", lr=0.015,
                    batch_size=10, epochs=60, seed=0, init="playground", shuffle=False,
                    pace=2.0)


def zero_init() -> ge.Diagram:
    s = Sketch("Zero initialisation: every hidden unit the same", """
        Every weight and bias of this network starts at 0 (the training setting init:
        zeros). The four Sigmoid units then compute the same function and receive the same
        gradient, so they stay identical however long it trains: the four maps under the
        Sigmoid block look alike, and the layer can do no more than a single unit, so the
        circle stays unsolved (about 50 % test accuracy). Set init to default or xavier in
        the Data tab and train again: the units start different, each learns its own edge
        of the disc, and the circle is solved within 50 epochs. With Tanh or ReLU units,
        zero weights are worse still: both output 0 at 0, so no weight ever changes, only
        the last bias.""")
    s.chain(mlp(2, [4], "Sigmoid", 2, ("CrossEntropyLoss",)))
    return s.finish("circle", optimizer="sgd", lr=0.3, batch_size=10, epochs=100, seed=0,
                    init="zeros", pace=5.0)


def function_sine() -> ge.Diagram:
    s = Sketch("Classes from a function: a sine wave", """
        The points above the curve x2 = 3 sin(x1) are one class, those below the other: the
        data set is made from the formula (Data tab, Classes from a function). Eight Tanh
        units each add one smooth step, and the output layer weighs them into a line that
        climbs each hill and dips into each valley. Watch the boundary start nearly straight
        and bend into the wave as the test accuracy passes 95 %; with two units it cannot.""")
    s.chain(mlp(2, [8], "Tanh", 2, ("CrossEntropyLoss",)))
    return s.finish(ge.DatasetSpec("function", boundary="3 * sin(x1)", samples=1000),
                    optimizer="adam", lr=0.02, batch_size=10, epochs=60, seed=0, pace=2.0)


def function_cubic() -> ge.Diagram:
    s = Sketch("Classes from a function: a cubic", """
        The cubic x³ − x, stretched threefold to fill the plane: class 1 lies above the
        curve x2 = x1³/9 − x1, class 0 below. It rises, falls and rises again, so the
        boundary needs two bends, and eight Tanh units make them smooth. Watch the straight
        line of the first epochs fold into an S.""")
    s.chain(mlp(2, [8], "Tanh", 2, ("CrossEntropyLoss",)))
    return s.finish(ge.DatasetSpec("function", boundary="x1**3/9 - x1"), optimizer="adam",
                    lr=0.01, batch_size=10, epochs=40, seed=0, pace=2.0)


def function_abs() -> ge.Diagram:
    s = Sketch("Classes from a function: a sharp bend", """
        Class 1 lies above the curve x2 = |x1|, a V with a sharp corner. Since |x| = relu(x)
        + relu(−x), two ReLU units are enough: each draws one arm of the V as a straight
        line, and the output layer joins them at the corner. Swap ReLU for Tanh and the
        corner comes out rounded.""")
    s.chain(mlp(2, [2], "ReLU", 2, ("CrossEntropyLoss",)))
    return s.finish(ge.DatasetSpec("function", boundary="abs(x1)"), optimizer="adam", lr=0.01,
                    batch_size=10, epochs=40, seed=0, pace=2.0)


# In lesson order: File → Open Example lists them so (resources/examples/ORDER).
EXAMPLES_BY_NAME: dict[str, Callable[[], ge.Diagram]] = {
    "perceptron": perceptron,
    "two-layer-net": two_layer_net,
    "binary-classifier-blobs": binary_classifier_blobs,
    "xor-no-hidden": xor_no_hidden,
    "xor": xor,
    "circle": circle,
    "function-sine": function_sine,
    "function-cubic": function_cubic,
    "function-abs": function_abs,
    "playground-default": playground_default,
    "zero-init": zero_init,
    "circle-squares": circle_squares,
    "spiral": spiral,
    "spiral-features": spiral_features,
    "stacked-linear": stacked_linear,
    "softmax-before-cross-entropy": softmax_before_cross_entropy,
    "polynomial-linear": polynomial_linear,
    "polynomial-features": polynomial_features,
    "polynomial-mlp": polynomial_mlp,
    "regression-gauss": regression_gauss,
    "deep-sigmoid": deep("Sigmoid"),
    "deep-relu": deep("ReLU"),
    "residual": residual,
    "custom-activation": custom_activation,
    "autograd": autograd,
    "backprop-sgd": backprop_sgd,
    "digits": digits,
}
ORDER = EXAMPLES / "ORDER"


def write(name: str, folder: Path = EXAMPLES) -> Path:
    path = folder / f"{name}.json"
    ge.save(EXAMPLES_BY_NAME[name](), path)
    return path


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    unknown = [n for n in names if n not in EXAMPLES_BY_NAME]
    if unknown:
        print(f"unknown example(s): {', '.join(unknown)}; known: "
              f"{', '.join(EXAMPLES_BY_NAME)}", file=sys.stderr)
        return 2
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name in names or EXAMPLES_BY_NAME:
        print(write(name).relative_to(ROOT))
    write_atomic(ORDER, "".join(f"{name}\n" for name in EXAMPLES_BY_NAME).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
