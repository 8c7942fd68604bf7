"""Stage 8: the training process the editor talks to, and its framed protocol."""
