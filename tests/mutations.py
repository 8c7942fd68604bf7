"""Random mutations of JSON documents, for the fuzz tests of diagram files and of
what a class hands in."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

from graph_engine.model import fileio

HUGE = st.sampled_from([10**20, -10**20, 10**400, 1e308, -1e308, 2**63, 2**31, -1, 0,
                        1e-320, 1e999, -1e999])


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    HUGE, st.text(max_size=20), st.sampled_from(
        ["", " ", "Linear", "Nope", "linear", "circle", "csv", "x", "input", "output",
         "target", "__class__", "x ** 1e9", "eval('1')", "\x00", "\u202e", "NaN"]))


VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=10)


KEY_NAMES = st.sampled_from(sorted(fileio.TOP_KEYS | fileio.BLOCK_KEYS | fileio.WIRE_KEYS
                                   | {"features", "out_features", "formula", "lr", "csv",
                                      "samples", "name", "extra", ""}))


def paths(node, prefix=()):
    """Every location in a JSON tree, as a tuple of keys and indices."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def get(node, path):
    for step in path:
        node = node[step]
    return node


def mutate_once(doc, data):
    """Apply one random structural mutation to ``doc`` (in place) or return a new one."""
    path = data.draw(st.sampled_from(list(paths(doc))))
    kind = data.draw(st.sampled_from(["replace", "delete", "duplicate", "rename", "insert",
                                      "retype", "swap"]))
    if not path:
        return data.draw(VALUES) if kind == "replace" else doc
    parent, step = get(doc, path[:-1]), path[-1]
    value = parent[step]
    if kind == "replace":
        parent[step] = data.draw(VALUES)
    elif kind == "delete":
        del parent[step]
    elif kind == "duplicate":
        if isinstance(parent, list):
            parent.insert(step, copy.deepcopy(value))
        else:
            parent[step + data.draw(st.sampled_from(["", "_", "2"]))] = copy.deepcopy(value)
    elif kind == "rename" and isinstance(parent, dict):
        parent[data.draw(KEY_NAMES)] = parent.pop(step)
    elif kind == "insert":
        target = value if isinstance(value, (dict, list)) else parent
        if isinstance(target, dict):
            target[data.draw(KEY_NAMES)] = data.draw(VALUES)
        else:
            target.insert(data.draw(st.integers(0, len(target))), data.draw(VALUES))
    elif kind == "retype":
        parent[step] = _retyped(value, data)
    elif kind == "swap":
        other = data.draw(st.sampled_from(list(paths(doc))))
        try:
            parent[step] = copy.deepcopy(get(doc, other))
        except (KeyError, IndexError, TypeError):
            pass
    return doc


def _retyped(value, data):
    """The same content in another JSON type: 8 -> "8", [a, b] -> {"0": a, "1": b}..."""
    if isinstance(value, bool):
        return data.draw(st.sampled_from([int(value), str(value).lower(), [value]]))
    if isinstance(value, (int, float)):
        huge = value * 10**300 if isinstance(value, int) else value * 1e300
        fraction = value + 0.5 if abs(value) < 1e300 else value + 1
        return data.draw(st.sampled_from([str(value), [value], huge, -value, fraction,
                                          bool(value), {"value": value}]))
    if isinstance(value, str):
        return data.draw(st.sampled_from([[value], {value: value}, len(value), value * 50,
                                          value.upper(), value[::-1], None]))
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return value
