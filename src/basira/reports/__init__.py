"""Transparency reports: the yearly TCO report, DSA statements of reasons, safeguard figures, and charts."""
