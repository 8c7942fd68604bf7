"""The typed protocol: messages are checked field by field at the door."""

from __future__ import annotations

import pytest

import graph_engine as ge
from graph_engine.model.fileio import dumps, loads
from graph_engine.server.protocol import (
    Command,
    ProtocolError,
    Reason,
    Reply,
    Status,
    command,
    read_command,
    read_reply,
    reply,
)


def test_a_command_round_trips_with_its_fields():
    message = command(Command.RUN, 7, epochs=20)
    assert message == {"cmd": "run", "seq": 7, "epochs": 20}
    assert read_command(message) == (Command.RUN, 7, {"epochs": 20})


@pytest.mark.parametrize("message, fragment", [
    ({"cmd": "run", "epochs": "20"}, "'epochs' must be int"),
    ({"cmd": "run", "epochs": True}, "'epochs' must be int"),
    ({"cmd": "run"}, "'epochs' is missing"),
    ({"cmd": "fly"}, "unknown command 'fly'"),
    ({"cmd": "pause", "seq": "1"}, "sequence number"),
    ([1, 2], "JSON object"),
])
def test_a_malformed_command_is_a_protocol_error(message, fragment):
    with pytest.raises(ProtocolError, match=fragment):
        read_command(message)


def test_statuses_and_reasons_travel_as_their_words():
    message = reply(Reply.STATUS, status=Status.PAUSED, reason=Reason.DIVERGED,
                    message="NaN", seq=3, run=2)
    assert message["status"] == "paused" and str(message["reason"]) == "diverged"
    kind, fields = read_reply({**message, "status": "paused", "reason": "diverged"})
    assert kind is Reply.STATUS and fields["status"] is Status.PAUSED
    assert fields["reason"] is Reason.DIVERGED
    with pytest.raises(ProtocolError, match="unknown status"):
        read_reply({**message, "status": "dancing"})


def test_two_loads_of_a_spec_have_one_fingerprint_and_another_spec_another():
    from graph_engine.data import datasets
    from graph_engine.data.spec import DatasetSpec

    spec = DatasetSpec("circle", samples=100)
    assert datasets.load(spec).fingerprint() == datasets.load(spec).fingerprint()
    assert datasets.load(spec).fingerprint() != datasets.load(spec.with_(seed=1)).fingerprint()


def test_one_function_decides_the_output_picture():
    from graph_engine.data import datasets
    from graph_engine.data.views import OutputView, output_view

    views = {name: output_view(datasets.info(name)) for name in datasets.names()}
    assert views["circle"] is OutputView.BOUNDARY and views["reg-plane"] is OutputView.HEATMAP
    assert views["polynomial"] is OutputView.CURVE and views["digits"] is OutputView.IMAGES
    assert views["iris"] is OutputView.PROJECTION and views["wine"] is OutputView.PROJECTION


def test_a_diagram_and_its_settings_travel_as_the_file_text_and_the_record_fields():
    d = ge.Diagram()
    d.add("Input", features=2)
    d.training = d.training.with_(lr=0.1)
    message = command(Command.PREPARE, 1, diagram=d, settings=d.training, run=3)
    _, _, fields = read_command(message)
    assert fields["diagram"] == dumps(d) and dumps(loads(fields["diagram"])) == dumps(d)
    assert fields["settings"] == d.training.to_dict() and fields["run"] == 3
