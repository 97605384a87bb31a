"""The same result source on a Ray cluster."""
