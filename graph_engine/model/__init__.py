"""Stage 3: the diagram model, its wiring rules, its settings and its file format."""
