"""Stage 4: analysis of a diagram, validation, teaching lints and their explanations."""
