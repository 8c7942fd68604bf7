"""The canvas: a QGraphicsScene mirroring a Diagram, and the view around it."""
