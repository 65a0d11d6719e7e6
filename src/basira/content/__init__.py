"""The content front: photos, videos, text and URLs turned into signals."""
