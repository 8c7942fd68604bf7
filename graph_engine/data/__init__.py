"""Stage 2: data sets: the built-in ones, tabular files, and the specs that name them."""
