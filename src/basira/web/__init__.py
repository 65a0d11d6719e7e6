"""Server-rendered pages in English, Arabic (right to left) and French."""
