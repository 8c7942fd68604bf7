"""The format a block type travels in when it is dragged from the palette onto
the canvas: the palette writes it, the canvas view reads it."""

from __future__ import annotations

from PySide6.QtCore import QMimeData

BLOCK_MIME = "application/x-netcanvas-block"


def block_mime(type_name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(BLOCK_MIME, type_name.encode("utf-8"))
    mime.setText(type_name)
    return mime


def block_type(mime: QMimeData) -> str | None:
    """The block type a drag carries, or None when it carries none."""
    if not mime.hasFormat(BLOCK_MIME):
        return None
    return bytes(mime.data(BLOCK_MIME).data()).decode("utf-8")
