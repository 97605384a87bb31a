"""File → image → tensor → backend → result: opening images, decoding ahead of the model, batching, TTA."""
