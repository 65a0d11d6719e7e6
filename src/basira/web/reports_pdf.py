"""The legal reports printed to PDF with WeasyPrint (BSD): the same HTML pages as on screen, laid out on A4 with
Noto fonts, Arabic shaped and set right to left by Pango. WeasyPrint needs the Pango library of the system
(Debian: ``libpango-1.0-0``, ``libpangoft2-1.0-0``); without it the PDF is refused with that message."""

from __future__ import annotations

from typing import Any

from basira.core.errors import ConfigurationError

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; max-width: none; margin: 0;
       font-size: 10pt; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; break-after: avoid; } table, figure { break-inside: avoid; }
"""


def to_pdf(html: str) -> bytes:
    """``html`` (a whole page with no outside resource) as PDF bytes."""
    from PIL import ImageFile

    # WeasyPrint switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when it is imported; left so, every later
    # truncated upload in this process would be decoded instead of refused. Put back what it was.
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        from weasyprint import CSS, HTML
    except OSError as e:  # the Pango library is missing
        raise ConfigurationError(f"PDF output needs the Pango library (Debian: libpango-1.0-0 libpangoft2-1.0-0): "
                                 f"{e}") from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # A report never loads anything from outside: nothing is fetched while printing.
        raise ValueError(f"report pages load nothing ({url[:60]})")

    pdf: bytes = HTML(string=html, url_fetcher=no_fetch).write_pdf(stylesheets=[CSS(string=PRINT_CSS)])
    return pdf
