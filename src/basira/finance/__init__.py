"""Terrorist financing: sanctions lists, name and wallet screening."""
