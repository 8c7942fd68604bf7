"""Pictures the editor saves (canvas exports, screenshots): rendered to bytes in
memory, then written through the engine's atomic writer, so a full disk or a
crash mid-write never leaves a truncated file where a good one was."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRectF, QSize
from PySide6.QtGui import QImage, QImageWriter, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from graph_engine.core.files import write_atomic


def png_bytes(image: QImage | QPixmap) -> bytes:
    """The image encoded as PNG; OSError if Qt cannot encode it."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    frame = image.toImage() if isinstance(image, QPixmap) else image
    ok = QImageWriter(buffer, QByteArray(b"PNG")).write(frame)
    buffer.close()
    if not ok or data.isEmpty():
        raise OSError("the image could not be encoded as PNG")
    return bytes(data.data())


def svg_bytes(size: QSize, view_box: QRectF, title: str,
              paint: Callable[[QPainter], None]) -> bytes:
    """An SVG picture of what ``paint(painter)`` draws; OSError if nothing came out."""
    from PySide6.QtSvg import QSvgGenerator

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(view_box)
    generator.setTitle(title)
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError("the picture could not be drawn as SVG")
    try:
        paint(painter)
    finally:  # a painter left open on the generator would crash Qt later
        painter.end()
    buffer.close()
    if data.isEmpty():
        raise OSError("the picture could not be drawn as SVG")
    return bytes(data.data())


def save_png(image: QImage | QPixmap, path: str) -> None:
    """Write ``image`` as a PNG file atomically; OSError on failure (the old file stays)."""
    write_atomic(path, png_bytes(image))


def widget_picture(widget, path: str, scale: float = 1.0) -> None:
    """Write what ``widget`` shows as a PNG ``scale`` times its size on screen, or as
    an SVG (by ``path``'s suffix); atomically, OSError on failure. The SVG is drawn
    through QSvgGenerator, since pyqtgraph's own SVG exporter fails with this Qt."""
    if path.lower().endswith(".svg"):
        size = widget.size()
        data = svg_bytes(size, QRectF(0, 0, size.width(), size.height()),
                         widget.objectName() or "NetCanvas plot",
                         lambda painter: QWidget.render(widget, painter, QPoint(0, 0)))
        write_atomic(path, data)
    else:
        save_png(rendered(widget, scale), path)


def rendered(widget, scale: float) -> QImage:
    """``widget`` drawn ``scale`` times larger than on screen: plots, text and lines
    drawn again at that size, not an enlarged screenshot."""
    size = widget.size()
    image = QImage(QSize(round(size.width() * scale), round(size.height() * scale)),
                   QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)
    QWidget.render(widget, painter, QPoint(0, 0))
    painter.end()
    image.setDevicePixelRatio(1.0)  # the file's pixels are the picture's
    return image
