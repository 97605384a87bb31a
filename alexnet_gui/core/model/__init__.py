"""What a model is: its card (architecture, labels, preprocessing, output kind), its weights and their formats."""
