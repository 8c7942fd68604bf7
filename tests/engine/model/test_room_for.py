"""room_for: a block put into a wire lands on no other block; its neighbours in
the row move aside, as the rest of a line moves for a word typed into it."""

from __future__ import annotations

from itertools import pairwise

import graph_engine as ge
from graph_engine.model.layout import BLOCK, COLUMN, room_for


def row_of_blocks() -> tuple[ge.Diagram, list[str]]:
    d = ge.Diagram()
    ids = [d.add("Input", features=2), d.add("Linear", out_features=4), d.add("ReLU"),
           d.add("Linear", out_features=2), d.add("CrossEntropyLoss")]
    for i, block_id in enumerate(ids):
        d.move(block_id, i * COLUMN, 0.0)
    return d, ids


def clear_of(d: ge.Diagram, at: tuple[float, float], moved: dict) -> bool:
    spots = [moved.get(b.id, b.position) for b in d.blocks]
    return all(abs(at[0] - x) >= BLOCK[0] or abs(at[1] - y) >= BLOCK[1] for x, y in spots)


def test_between_two_neighbours_the_rest_of_the_row_moves_right():
    d, ids = row_of_blocks()
    at, moved = room_for(d, (1.5 * COLUMN, 0.0))  # between the first Linear and the ReLU
    assert at[0] >= COLUMN + BLOCK[0]  # after the block it would have covered
    assert set(moved) == set(ids[2:])  # the ReLU and everything after it
    shifts = {moved[b][0] - d.block(b).position[0] for b in moved}
    assert len(shifts) == 1 and shifts.pop() > 0  # all by the same amount: spacing kept
    assert clear_of(d, at, moved)
    placed = sorted([*(moved.get(b.id, b.position)[0] for b in d.blocks), at[0]])
    assert all(b - a >= BLOCK[0] for a, b in pairwise(placed))


def test_a_free_spot_moves_nothing_and_other_rows_stay():
    d, _ids = row_of_blocks()
    other = d.add("Target")
    d.move(other, 2 * COLUMN, 400.0)
    at, moved = room_for(d, (10 * COLUMN, 0.0))
    assert moved == {} and at == (10 * COLUMN, 0.0)
    _, moved = room_for(d, (2 * COLUMN, 0.0))
    assert other not in moved
