"""Sharing with partners outside the instance: STIX 2.1 and TAXII 2.1 (server and client), MISP feeds, HMA's API,
and the rules they share (markings, deltas)."""
