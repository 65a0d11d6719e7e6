"""Sharing between instances: STIX 2.1 objects for banks and signals, a TAXII 2.1 server and a TAXII client."""
