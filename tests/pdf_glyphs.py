"""Which glyph of which embedded font a PDF draws for each character, read from the file itself.

Text extraction alone proves little: a .notdef box still extracts as the character it stands
for. So this reads WeasyPrint's PDF (object streams, Type0 fonts with Identity-H and
CIDToGIDMap /Identity, a ToUnicode CMap per font): for each character, the font family, the
glyph id and whether the embedded font program has an outline for that glyph (.notdef is
glyph 0).
"""

import re
import zlib
from dataclasses import dataclass
from io import BytesIO

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

_STREAM = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*stream\r?\n", re.S)
_PLAIN = re.compile(rb"(\d+) 0 obj\s*(<<(?:(?!stream).)*?>>)\s*endobj", re.S)


@dataclass(frozen=True)
class Glyph:
    family: str
    glyph_id: int
    has_outline: bool


def _objects(data: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Every object's dictionary, and every stream's decoded bytes, by object number."""
    dictionaries, streams = {}, {}
    for match in _PLAIN.finditer(data):
        dictionaries[int(match.group(1))] = match.group(2)
    for match in _STREAM.finditer(data):
        number, dictionary = int(match.group(1)), match.group(2)
        length = int(re.search(rb"/Length (\d+)", dictionary).group(1))
        raw = data[match.end():match.end() + length]
        dictionaries[number] = dictionary
        streams[number] = zlib.decompress(raw) if b"/FlateDecode" in dictionary else raw
    for number, dictionary in list(dictionaries.items()):
        if b"/Type /ObjStm" in dictionary:
            first = int(re.search(rb"/First (\d+)", dictionary).group(1))
            body = streams[number]
            pairs = [int(n) for n in body[:first].split()]
            offsets = [(pairs[i], first + pairs[i + 1]) for i in range(0, len(pairs), 2)]
            ends = [offset for _, offset in offsets[1:]] + [len(body)]
            for (inner, start), end in zip(offsets, ends, strict=True):
                dictionaries[inner] = body[start:end].strip()
    return dictionaries, streams


def _ref(dictionary: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb"\s*\[?\s*(\d+) 0 R", dictionary).group(1))


def _to_unicode(cmap: bytes) -> dict[str, int]:
    """Character -> glyph id, from a ToUnicode CMap's bfchar and bfrange entries."""
    found = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[bytes.fromhex(text.decode()).decode("utf-16-be")] = int(code, 16)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = ord(bytes.fromhex(text.decode()).decode("utf-16-be"))
            for offset in range(int(high, 16) - int(low, 16) + 1):
                found[chr(first + offset)] = int(low, 16) + offset
    return found


def _has_outline(font: TTFont, glyph_id: int) -> bool:
    """False for .notdef and for an id the font does not have (Pango's "unknown glyph")."""
    if glyph_id == 0 or glyph_id >= font["maxp"].numGlyphs:
        return False
    name = font.getGlyphName(glyph_id)
    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.bounds is not None


def glyphs(data: bytes) -> dict[str, list[Glyph]]:
    """Each character the PDF's fonts map, with every (family, glyph) that draws it."""
    dictionaries, streams = _objects(data)
    drawn: dict[str, list[Glyph]] = {}
    for dictionary in dictionaries.values():
        if not re.search(rb"/Subtype /Type0\b", dictionary):
            continue
        descendant = dictionaries[_ref(dictionary, b"DescendantFonts")]
        assert b"/CIDToGIDMap /Identity" in descendant, "glyph ids are read as CIDs"
        descriptor = dictionaries[_ref(descendant, b"FontDescriptor")]
        family = re.search(rb"/FontFamily \((.*?)\)", descriptor).group(1).decode()
        program = streams[_ref(descriptor, rb"FontFile[23]?")]
        font = TTFont(BytesIO(program))
        for character, glyph_id in _to_unicode(streams[_ref(dictionary, b"ToUnicode")]).items():
            outline = _has_outline(font, glyph_id)
            drawn.setdefault(character, []).append(Glyph(family, glyph_id, outline))
    return drawn
