"""Sharing with partners outside the instance: exchange formats (MISP feeds, HMA's API, STIX/TAXII) and their rules."""
