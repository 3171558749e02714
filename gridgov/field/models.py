"""Models of the field app."""
