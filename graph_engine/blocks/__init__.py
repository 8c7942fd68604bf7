"""Stage 1: the block registry and the catalogue, the only place that knows block types."""
