"""The document, its undo commands, and the editing, file and menu actions."""
