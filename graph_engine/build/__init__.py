"""Stage 5: from a valid diagram to a torch module, Python source, ONNX and weights files."""
