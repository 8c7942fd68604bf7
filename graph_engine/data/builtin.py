"""The built-in data sets: TensorFlow Playground's six and scikit-learn's classics.

Each is one declaration (:func:`_entry`), an entry of the data set registry
(:mod:`.registry`) with what validation needs to know without generating it
(task, features, classes) and how it is generated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .dataset import CLASSIFICATION, PLANE, REGRESSION, Dataset, DatasetInfo, Scaling, split
from .registry import DATASETS, DatasetKind, Origin

# ----------------------------------------------------------- Playground sets

def _circle(n: int, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    half = n // 2

    def ring(count, r_low, r_high):
        r = rng.uniform(r_low, r_high, count)
        angle = rng.uniform(0, 2 * math.pi, count)
        return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)

    points = np.concatenate([ring(half, 0, radius * 0.5), ring(n - half, radius * 0.7, radius)])
    jitter = rng.uniform(-radius, radius, points.shape) * noise
    labels = (np.linalg.norm(points + jitter, axis=1) < radius * 0.5).astype(np.int64)
    return points, labels


def _xor(n: int, noise: float, rng):
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    jitter = rng.uniform(-5, 5, points.shape) * noise
    noisy = points + jitter
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return points, labels


def _gauss(n: int, noise: float, rng):
    from sklearn.datasets import make_blobs

    std = math.sqrt(0.5 + (4.0 - 0.5) * noise / 0.5)
    points, labels = make_blobs(n_samples=n, centers=[(2, 2), (-2, -2)], cluster_std=std,
                                random_state=int(rng.integers(2**31)))
    return points, (labels == 0).astype(np.int64)


def _spiral(n: int, noise: float, rng):
    half = n // 2
    parts, labels = [], []
    for label, (count, delta) in enumerate(((half, math.pi), (n - half, 0.0))):
        i = np.arange(count) / count
        r = i * 5
        t = 1.75 * i * 2 * math.pi + delta
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(xy + rng.uniform(-1, 1, xy.shape) * noise)
        labels.append(np.full(count, label, dtype=np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _reg_plane(n: int, noise: float, rng):
    points = rng.uniform(-6, 6, (n, 2))
    noisy = points + rng.uniform(-6, 6, points.shape) * noise
    target = (noisy[:, 0] + noisy[:, 1]) / 10.0
    return points, target[:, None]


_GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1),
              (4, -2.5, -1))


def _reg_gauss(n: int, noise: float, rng):
    points = rng.uniform(-6, 6, (n, 2))
    noisy = points + rng.uniform(-6, 6, points.shape) * noise
    target = np.zeros(n)
    for cx, cy, sign in _GAUSSIANS:
        dist = np.hypot(noisy[:, 0] - cx, noisy[:, 1] - cy)
        value = sign * np.clip(1 - dist / 2, 0, 1)
        target = np.where(np.abs(value) > np.abs(target), value, target)
    return points, target[:, None]


# ------------------------------------------------------------ scikit-learn sets

def _moons(n: int, noise: float, rng):
    from sklearn.datasets import make_moons

    points, labels = make_moons(n_samples=n, noise=noise, random_state=int(rng.integers(2**31)))
    return (points - (0.5, 0.25)) * 3.0, labels.astype(np.int64)


def _blobs(n: int, noise: float, rng):
    from sklearn.datasets import make_blobs

    points, labels = make_blobs(n_samples=n, centers=[(-3, -2), (3, -2), (0, 3)],
                                cluster_std=1.0 + 4 * noise,
                                random_state=int(rng.integers(2**31)))
    return points, labels.astype(np.int64)


def _blobs_binary(n: int, noise: float, rng):
    points, labels = _blobs(n, noise, rng)
    return points, (labels != 0).astype(np.int64)


def _polynomial(n: int, noise: float, rng):
    x = rng.uniform(-1.5, 1.5, (n, 1))
    y = 4 * x**2 + 2 * x + 1 + rng.normal(0, 1, x.shape) * noise * 10
    return x, y


def _sine(n: int, noise: float, rng):
    x = rng.uniform(-math.pi, math.pi, (n, 1))
    y = np.sin(2 * x) + rng.normal(0, 1, x.shape) * noise * 2
    return x, y


def _digits(n: int, noise: float, rng):
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target.astype(np.int64)


def _iris(n: int, noise: float, rng):
    from sklearn.datasets import load_iris

    data = load_iris()
    return data.data, data.target.astype(np.int64)


def _breast_cancer(n: int, noise: float, rng):
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    return data.data, data.target.astype(np.int64)


def _wine(n: int, noise: float, rng):
    from sklearn.datasets import load_wine

    data = load_wine()
    return data.data, data.target.astype(np.int64)


def _diabetes(n: int, noise: float, rng):
    from sklearn.datasets import load_diabetes

    data = load_diabetes(scaled=False)
    return data.data, data.target[:, None]


def standardized(data: Dataset, target: bool = False) -> Dataset:
    """``data`` with each feature column (and with ``target`` each target column)
    shifted and scaled to mean 0 and standard deviation 1 by the statistics of the
    training rows alone, as a textbook does: the test rows must not shape what the
    network trains on. The shift and scale are kept (:class:`Scaling`), so new raw
    rows are asked about as the network was trained."""
    def scale(train: np.ndarray, test: np.ndarray):
        mean, std = train.mean(axis=0, dtype=np.float64), train.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0
        return (train - mean) / std, (test - mean) / std, Scaling(mean, std)

    x_train, x_test, inputs = scale(data.x_train, data.x_test)
    y_train, y_test, outputs = scale(data.y_train, data.y_test) if target else \
        (data.y_train, data.y_test, None)
    kinds = data.x_train.dtype, data.y_train.dtype
    return replace(data, x_train=x_train.astype(kinds[0]), x_test=x_test.astype(kinds[0]),
                   y_train=y_train.astype(kinds[1]), y_test=y_test.astype(kinds[1]),
                   inputs=inputs, outputs=outputs)


# The column names scikit-learn gives, written out so that describing a data set
# never imports scikit-learn (a test checks they agree).
_NUCLEUS = ("radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
            "concave points", "symmetry", "fractal dimension")
BREAST_CANCER_FEATURES = (*(f"mean {n}" for n in _NUCLEUS), *(f"{n} error" for n in _NUCLEUS),
                          *(f"worst {n}" for n in _NUCLEUS))
WINE_FEATURES = ("alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium",
                 "total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins",
                 "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline")


@dataclass(frozen=True)
class _Generator:
    """How a built-in set is made: its description, its generator and its plane."""

    info: DatasetInfo
    # (samples, noise, random generator) -> (x, y)
    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    bounds: tuple[float, float, float, float] | None = PLANE
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ("x1", "x2")
    # standardised after the split (:func:`standardized`): "" not at all, "x" the features,
    # "xy" the target too
    standardize: str = ""

    def describe(self, spec) -> DatasetInfo:
        return self.info

    def load(self, spec) -> Dataset:
        """Generate with the spec's samples, noise and seed, and split."""
        rng = np.random.default_rng(spec.seed)
        x, y = self.make(spec.samples, spec.noise, rng)
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64 if self.info.is_classification else np.float32)
        classes = self.class_names or tuple(str(i) for i in range(self.info.classes))
        data = split(self.info, x, y, spec.seed, spec.train_ratio, self.feature_names, classes,
                     self.bounds)
        return standardized(data, self.standardize == "xy") if self.standardize else data


def _entry(name, task, features, make, description, classes=0, samples=500,
           **extra) -> DatasetKind:
    """Declare one built-in set (Playground's counts: 500 points unless ``samples``)."""
    generator = _Generator(DatasetInfo(name, task, features, classes, 1, description), make,
                           **extra)
    return DATASETS.register(DatasetKind(name, Origin.GENERATED, description,
                                         generator.describe, generator.load,
                                         samples=samples))


_C, _R = CLASSIFICATION, REGRESSION
BUILT_IN = tuple(e.name for e in (
    _entry("circle", _C, 2, _circle, "A disc of one class inside a ring of the other.", 2),
    _entry("xor", _C, 2, _xor, "Four quadrants; opposite corners share a class.", 2),
    _entry("gauss", _C, 2, _gauss, "Two Gaussian clouds, one per class.", 2),
    _entry("spiral", _C, 2, _spiral, "Two interleaved spirals: hard for small networks.", 2),
    _entry("moons", _C, 2, _moons, "Two interleaving half circles (scikit-learn).", 2),
    _entry("blobs", _C, 2, _blobs, "Three Gaussian clusters, three classes (scikit-learn).",
           3),
    _entry("blobs-binary", _C, 2, _blobs_binary, "The three clusters of blobs, labelled "
           "binary: class 0 is the first cluster, class 1 the other two.", 2),
    # Playground generates 1,200 points for its regression sets, 500 for the others
    _entry("reg-plane", _R, 2, _reg_plane, "A tilted plane: the target is (x1 + x2) / 10.",
           samples=1200),
    _entry("reg-gauss", _R, 2, _reg_gauss, "Six Gaussian bumps of alternating sign.",
           samples=1200),
    _entry("polynomial", _R, 1, _polynomial, "f(x) = 4x² + 2x + 1 on [−1.5, 1.5].",
           bounds=(-1.5, 1.5, -2.0, 15.0), feature_names=("x",)),
    _entry("sine", _R, 1, _sine, "f(x) = sin(2x) on [−π, π].",
           bounds=(-math.pi, math.pi, -1.5, 1.5), feature_names=("x",)),
    _entry("digits", _C, 64, _digits, "8×8 images of hand-written digits, 10 classes "
           "(1,797 images, scikit-learn).", 10, bounds=None,
           class_names=tuple("0123456789"),
           feature_names=tuple(f"pixel{i}" for i in range(64))),
    _entry("iris", _C, 4, _iris, "Fisher's iris flowers: 4 measurements, 3 species "
           "(150 samples, standardised).", 3, bounds=None, standardize="x",
           class_names=("setosa", "versicolor", "virginica"),
           feature_names=("sepal length", "sepal width", "petal length", "petal width")),
    _entry("breast-cancer", _C, 30, _breast_cancer, "Wisconsin breast cancer: 30 measurements "
           "of cell nuclei, malignant or benign (569 samples, standardised, scikit-learn).", 2,
           bounds=None, class_names=("malignant", "benign"), standardize="x",
           feature_names=BREAST_CANCER_FEATURES),
    _entry("wine", _C, 13, _wine, "Wines from three cultivars: 13 chemical measurements "
           "(178 samples, standardised, scikit-learn).", 3, bounds=None, standardize="x",
           class_names=("cultivar 1", "cultivar 2", "cultivar 3"),
           feature_names=WINE_FEATURES),
    _entry("diabetes", _R, 10, _diabetes, "Diabetes progression one year on from age, sex, "
           "BMI, blood pressure and six blood serum values (442 patients, scikit-learn); "
           # the target (disease progression, 25-346) standardised too: in its own units the
           # squared errors start near 30,000 and Playground's learning rate diverges at once
           "features and target standardised.", bounds=None, standardize="xy",
           feature_names=("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")),
))


def names() -> list[str]:
    """The built-in data sets: made from their name alone."""
    return DATASETS.names(Origin.GENERATED)
