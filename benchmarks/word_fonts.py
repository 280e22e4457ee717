#!/usr/bin/env python3
"""Mapped fonts or embedded fonts for the Word edition? Measures the second on built files.

For each .docx given, embeds subsets of the faces the PDF uses (Noto Serif and Sans CJK
SC, regular and bold: the characters the file shows, fontTools' subsetter) the way Word
does (``word/fonts/fontN.odttf``, obfuscated with the font key, ECMA-376 Part 1 §17.8.1;
``w:embedRegular``/``w:embedBold`` in the font table, ``w:embedTrueTypeFonts`` and
``w:saveSubsetFonts`` in the settings), under a family name no system has ("PB Serif",
"PB Sans"), and points the styles at it. Prints the sizes before and after, and writes the
embedded copies beside the input as ``NAME.embedded.docx``: converting those with
LibreOffice and listing the PDF's fonts shows whether it draws the embedded faces.

    python3 benchmarks/word_fonts.py dist/yunqi/decision-makers.zh.docx ...
    soffice --headless --convert-to pdf dist/yunqi/decision-makers.zh.embedded.docx
    pdffonts decision-makers.zh.embedded.pdf
"""

from __future__ import annotations

import io
import re
import sys
import uuid
import zipfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

FACES = {  # role -> (family it is embedded as, {style: (collection, index of the SC face)})
    "serif": ("PB Serif", "/usr/share/fonts/opentype/noto/NotoSerifCJK-{}.ttc"),
    "sans": ("PB Sans", "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"),
}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FONT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"


def shown_text(archive: zipfile.ZipFile) -> str:
    text = []
    for name in archive.namelist():
        if name.startswith("word/") and name.endswith(".xml"):
            xml = archive.read(name).decode("utf-8")
            text += re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
    return "".join(text) + "0123456789"


def sc_face(path: str, family: str) -> bytes:
    """The collection's Simplified Chinese face, renamed ``family``."""
    collection = TTCollection(path)
    face = next(f for f in collection.fonts if "CJK SC" in f["name"].getDebugName(1))
    for record in face["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = family.replace(" ", "")
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def subset_face(data: bytes, text: str) -> bytes:
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(io.BytesIO(data), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def obfuscate(data: bytes, key: uuid.UUID) -> bytes:
    """XOR the first 32 bytes with the key's bytes, reversed (ECMA-376 §17.8.1)."""
    digits = key.hex
    mask = bytes(int(digits[i : i + 2], 16) for i in range(0, 32, 2))[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed(path: Path) -> tuple[int, int, int]:
    source = zipfile.ZipFile(path)
    text = shown_text(source)
    parts: dict[str, bytes] = {}
    fonts_xml, rels = [], []
    for role, (family, pattern) in FACES.items():
        entry = [f'<w:font w:name="{family}"><w:charset w:val="86"/>']
        for style, slot in (("Regular", "embedRegular"), ("Bold", "embedBold")):
            key = uuid.uuid5(uuid.NAMESPACE_URL, f"{path.name}/{role}/{style}")
            data = subset_face(sc_face(pattern.format(style), family), text)
            name = f"font{len(parts) + 1}.odttf"
            parts[f"word/fonts/{name}"] = obfuscate(data, key)
            rid = f"rIdF{len(parts)}"
            rels.append(f'<Relationship Id="{rid}" Type="{FONT_REL}" Target="fonts/{name}"/>')
            entry.append(f'<w:{slot} r:id="{rid}" w:fontKey="{{{str(key).upper()}}}"/>')
        fonts_xml.append("".join(entry) + "</w:font>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/fontTable.xml":
                data = data.replace(b"</w:fonts>", "".join(fonts_xml).encode() + b"</w:fonts>")
                if b"xmlns:r=" not in data[:400]:
                    data = data.replace(b"<w:fonts ", f'<w:fonts xmlns:r="{R}" '.encode(), 1)
            elif item.filename == "word/_rels/fontTable.xml.rels":
                data = data.replace(
                    b"</Relationships>", "".join(rels).encode() + b"</Relationships>"
                )
            elif item.filename == "word/settings.xml":
                data = re.sub(
                    rb"(<w:zoom [^>]*/>)", rb"\1<w:embedTrueTypeFonts/><w:saveSubsetFonts/>", data
                )
            elif item.filename == "word/styles.xml" or item.filename == "word/document.xml":
                for role, (family, _pattern) in FACES.items():
                    old = {"serif": (b"SimSun", b"Times New Roman"), "sans": (b"SimHei", b"Arial")}
                    for name in old[role]:
                        data = data.replace(b'"' + name + b'"', b'"' + family.encode() + b'"')
            elif item.filename == "[Content_Types].xml" and b'Extension="odttf"' not in data:
                data = data.replace(
                    b"<Default ",
                    b'<Default Extension="odttf" ContentType='
                    b'"application/vnd.openxmlformats-officedocument.obfuscatedFont"/><Default ',
                    1,
                )
            target.writestr(item, data)
        if "word/_rels/fontTable.xml.rels" not in source.namelist():
            target.writestr(
                "word/_rels/fontTable.xml.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'relationships">{"".join(rels)}</Relationships>',
            )
        for name, data in parts.items():
            target.writestr(name, data)
    made = path.with_suffix(".embedded.docx")
    made.write_bytes(out.getvalue())
    return path.stat().st_size, made.stat().st_size, len(set(text))


def main() -> None:
    print(f"{'file':40} {'mapped':>10} {'embedded':>10} {'characters':>10}")
    for name in sys.argv[1:]:
        before, after, chars = embed(Path(name))
        print(f"{Path(name).name:40} {before / 1024:9.0f}K {after / 1024:9.0f}K {chars:10}")


if __name__ == "__main__":
    main()
