"""Framed messages between the editor and its training process.

A message is a JSON object whose numpy arrays travel as raw bytes after it:
``[4-byte JSON length][8-byte data length][JSON][array bytes]``. Plain JSON
and raw numbers only: nothing in a frame can run code.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from ..core.jsontext import json_nesting

HEADER = struct.Struct(">IQ")
ARRAY_KEY = "__array__"
MAX_JSON = 64 * 1024 * 1024
MAX_DATA = 1024 * 1024 * 1024  # array bytes in one frame
MAX_DEPTH = 64  # JSON nesting: a deeper frame is refused before it is parsed
CHUNK = 1024 * 1024  # read at most this much at once: a bogus length must not allocate
# The only array types a frame may carry (numpy's "<f4" etc. strings, little-endian)
DTYPES = frozenset(np.dtype(t).str for t in ("float32", "float64", "int64", "int32", "uint8",
                                            "bool"))


class FrameError(ValueError):
    """A frame that cannot be decoded: cut short, corrupt or hostile."""


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
                raise FrameError(f"corrupt frame: it announces {text_len} bytes of JSON and "
                                 f"{data_len} bytes of data")
            end = HEADER.size + text_len + data_len
            if len(self.buffer) < end:
                break
            text = bytes(self.buffer[HEADER.size:HEADER.size + text_len])
            data = memoryview(bytes(self.buffer[HEADER.size + text_len:end]))
            del self.buffer[:end]
            messages.append(decode(text, data))
        return messages


def decode(text: bytes, data: memoryview) -> dict:
    """One frame's JSON and array bytes as a message; FrameError on anything amiss."""
    if json_nesting(text) > MAX_DEPTH:
        raise FrameError(f"corrupt frame: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise FrameError(f"corrupt frame: {error}") from None
    if not isinstance(message, dict):
        raise FrameError("corrupt frame: a message is a JSON object")
    return _unpack(message, data)


def _unpack(value, data: memoryview):
    offsets: list[int] = [0]

    def array(node: dict) -> np.ndarray:
        dtype, shape = node.get("dtype"), node.get("shape")
        if dtype not in DTYPES:
            raise FrameError(f"corrupt frame: array type {dtype!r} is not allowed")
        if not (isinstance(shape, list) and len(shape) <= 8 and
                all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape)):
            raise FrameError(f"corrupt frame: bad array shape {shape!r}")
        count = int(np.prod(shape, dtype=object))
        start, kind = offsets[0], np.dtype(dtype)
        offsets[0] += count * kind.itemsize
        if offsets[0] > len(data):
            raise FrameError("corrupt frame: an array runs past the frame's data")
        flat = np.frombuffer(data[start:offsets[0]], dtype=kind, count=count)
        return flat.reshape(shape).copy()

    def walk(node):
        if isinstance(node, dict):
            return array(node) if ARRAY_KEY in node else {k: walk(v) for k, v in node.items()}
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
        raise FrameError(f"corrupt frame: it announces {text_len} bytes of JSON and "
                         f"{data_len} bytes of data")
    body = read_exact(stream, text_len + data_len)
    return FrameReader().feed(header + body)[0]
