"""Safe XML parsing for OBS bodies: no DTDs, no entities, so no entity-expansion or external-entity attacks."""

from __future__ import annotations

from xml.etree.ElementTree import Element, XMLParser

__all__ = ["parse_xml", "strip_namespaces"]

_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")


def strip_namespaces(root: Element) -> Element:
    for element in root.iter():
        if "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def parse_xml(data: bytes) -> Element:
    """Parse an XML document, refusing any DTD or entity declaration; namespaces are dropped from tags.

    Raises ``ValueError`` for malformed XML, a document that is not UTF-8 (or ASCII-compatible), or one that
    declares a DTD/entities.
    """
    # The scan below reads ASCII-compatible bytes, but expat also reads UTF-16 (from a BOM, or from "<\0"),
    # where "<!DOCTYPE" is other bytes. Every UTF-16 document has NULs ("<" is "<\0"); OBS sends UTF-8.
    if b"\0" in data:
        raise ValueError("XML that is not UTF-8 (a NUL byte: UTF-16 or binary data) is refused")
    upper = data.upper()
    if any(marker in upper for marker in _FORBIDDEN):
        raise ValueError("XML with a DTD or entity declarations is refused")
    parser = XMLParser()  # noqa: S314 - DTDs and entities are refused above
    try:
        parser.feed(data)
        root = parser.close()
    except Exception as error:  # expat's ParseError
        raise ValueError(f"malformed XML: {error}") from None
    return strip_namespaces(root)
