"""Pure language functions (script detection, Arabic normalisation, transliteration); imports nothing of Basira."""
