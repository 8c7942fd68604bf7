"""Developer tools: generated docs and example diagrams (run with python -m tools.NAME)."""
