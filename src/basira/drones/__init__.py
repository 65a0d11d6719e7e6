"""Drones: decode Remote ID (ASTM F3411 / ASD-STAN EN 4709-002) and DJI DroneID from radio captures, track
drones, and alert when they enter protected zones.
"""
