"""Administration of the catalogue."""
