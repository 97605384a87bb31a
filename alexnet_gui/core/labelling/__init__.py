"""Labelling a folder for real: a project in SQLite (images, the model's predictions, each image's label and an
undo log), review orders, exports, label errors found with cleanlab, and a project as training data."""
