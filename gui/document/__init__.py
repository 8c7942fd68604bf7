"""The open document: the diagram on screen, its undo commands and the one door
through which every edit passes. Everything above it (canvas, panels, features)
reads the diagram from here and changes it only through here."""
