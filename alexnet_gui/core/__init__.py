"""Headless core: image loading, preprocessing, weights, backends, batch engine, CSV. Never imports Qt."""
