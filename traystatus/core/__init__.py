"""The domain: pure, standard-library-only logic and value objects (no I/O, no clock, no Qt)."""
