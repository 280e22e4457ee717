"""Write stage, PDF: WeasyPrint, kept warm and confined to the project's own files.

WeasyPrint is imported only when a PDF is actually built. The URL fetcher serves ``data:``
URIs and files under the allowed folders, nothing else: no network, no files elsewhere.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)
MAX_DATA_URI = 4 * 1024 * 1024  # an inline image larger than this is refused


class BlockedResource(ValueError):
    pass


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    blocked: tuple[str, ...] = ()  # resources the fetcher refused


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfWriter:
    """One per process: reuses WeasyPrint's font configuration across documents."""

    def __init__(self, allowed_roots: tuple[Path, ...]):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self._weasyprint = weasyprint
        self.font_config = FontConfiguration()
        self.allowed_roots = tuple(p.resolve() for p in allowed_roots)
        self.blocked: list[str] = []
        writer = self

        class Fetcher(weasyprint.URLFetcher):
            def fetch(self, url: str, headers=None):  # noqa: D401 - WeasyPrint's API
                if url.startswith("data:"):
                    if len(url) > MAX_DATA_URI:
                        writer.blocked.append(f"data: URI of {len(url) // 1024} KiB "
                                              f"(limit {MAX_DATA_URI // 1024} KiB)")
                        raise BlockedResource("data: URI too large")
                    return super().fetch(url, headers)
                parsed = urlparse(url)
                if parsed.scheme == "file":
                    path = Path(unquote(parsed.path)).resolve()
                    if any(path.is_relative_to(root) for root in writer.allowed_roots):
                        return super().fetch(url, headers)
                writer.blocked.append(url)
                raise BlockedResource(f"blocked: {url}")

        self.fetcher = Fetcher(allowed_protocols=("data", "file"), allow_redirects=False)

    def render(self, html: str, base_url: Path) -> PdfResult:
        capture = _Capture()
        wp_logger = logging.getLogger("weasyprint")
        wp_logger.addHandler(capture)
        self.blocked = []
        try:
            document = self._weasyprint.HTML(
                string=html, base_url=base_url.as_uri() + "/", url_fetcher=self.fetcher,
            ).render(font_config=self.font_config)
            buffer = io.BytesIO()
            document.write_pdf(buffer, pdf_identifier=b"policybrief")
        finally:
            wp_logger.removeHandler(capture)
        return PdfResult(buffer.getvalue(), len(document.pages), tuple(capture.messages),
                         tuple(self.blocked))
