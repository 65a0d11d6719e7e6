"""Sanctions list importers (UN, OFAC legacy CSV and advanced XML, EU FSF, documented CSV) and the delta import."""
