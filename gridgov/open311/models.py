"""Models of the open311 app."""
