"""SPO Studio's PyTorch engine."""
