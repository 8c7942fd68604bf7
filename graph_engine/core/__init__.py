"""Stage 0: what every stage uses: parameters, the formula parser, events,
diagnostics, limits and atomic writes."""
