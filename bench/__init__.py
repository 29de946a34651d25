"""Benchmarks: realistic volume generator and load tests (`make bench`)."""
