"""Framed messages between the editor and its training process.

A message is a JSON object whose numpy arrays travel as raw bytes after it:
``[4-byte JSON length][8-byte data length][JSON][array bytes]``. Plain JSON
and raw numbers only: nothing in a frame can run code.
"""

from __future__ import annotations

import json
import struct

import numpy as np

HEADER = struct.Struct(">IQ")
ARRAY_KEY = "__array__"
MAX_JSON = 64 * 1024 * 1024
MAX_DATA = 1024 * 1024 * 1024  # array bytes in one frame
CHUNK = 1024 * 1024  # read at most this much at once: a bogus length must not allocate


def encode(message: dict) -> bytes:
    arrays: list[np.ndarray] = []

    def pack(value):
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value)
            arrays.append(array)
            return {ARRAY_KEY: len(arrays) - 1, "dtype": array.dtype.str,
                    "shape": list(array.shape)}
        if isinstance(value, dict):
            return {str(k): pack(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [pack(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        return value

    text = json.dumps(pack(message), allow_nan=True).encode("utf-8")
    data = b"".join(a.tobytes() for a in arrays)
    return HEADER.pack(len(text), len(data)) + text + data


class FrameReader:
    """Collects bytes as they arrive and yields complete messages."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, chunk: bytes) -> list[dict]:
        self.buffer.extend(chunk)
        messages = []
        while len(self.buffer) >= HEADER.size:
            text_len, data_len = HEADER.unpack_from(self.buffer)
            if text_len > MAX_JSON or data_len > MAX_DATA:
                raise ValueError("corrupt frame from the training process")
            end = HEADER.size + text_len + data_len
            if len(self.buffer) < end:
                break
            text = bytes(self.buffer[HEADER.size:HEADER.size + text_len])
            data = memoryview(bytes(self.buffer[HEADER.size + text_len:end]))
            del self.buffer[:end]
            messages.append(_unpack(json.loads(text), data))
        return messages


def _unpack(value, data: memoryview):
    offsets: list[int] = [0]

    def walk(node):
        if isinstance(node, dict):
            if ARRAY_KEY in node:
                dtype = np.dtype(node["dtype"])
                count = int(np.prod(node["shape"], dtype=np.int64))
                start = offsets[0]
                offsets[0] += count * dtype.itemsize
                flat = np.frombuffer(data[start:offsets[0]], dtype=dtype, count=count)
                return flat.reshape(node["shape"]).copy()
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(value)


def read_exact(stream, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(min(remaining, CHUNK))
        if not chunk:
            raise EOFError("the stream closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(stream) -> dict:
    """Blocking read of one message from a binary stream."""
    header = read_exact(stream, HEADER.size)
    text_len, data_len = HEADER.unpack(header)
    if text_len > MAX_JSON or data_len > MAX_DATA:
        raise ValueError(f"corrupt frame: it announces {text_len} bytes of JSON and "
                         f"{data_len} bytes of data")
    body = read_exact(stream, text_len + data_len)
    return FrameReader().feed(header + body)[0]
