"""Benchmarks callable from the library: synthetic corpora and the dedup benchmark."""
