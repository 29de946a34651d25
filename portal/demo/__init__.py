"""Demo data: a plausible metropolis to explore the portal with."""
