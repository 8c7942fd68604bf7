"""Training in the editor: a worker thread, its controller, and the toolbar."""
