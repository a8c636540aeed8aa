"""Composition root and entry points: argument parsing, paths, logging, wiring."""
