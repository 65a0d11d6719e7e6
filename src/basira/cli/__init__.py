"""The ``basira`` command line: local administration, hashing and matching, one module per area."""
