"""EPUB packaging: ``container.xml``, the OPF package document and the NCX/nav contents.

An EPUB is a zip.  ``META-INF/container.xml`` names the OPF package document; the OPF holds
the Dublin Core metadata (``dc:title``, ``dc:creator``, ``dc:subject``…), the *manifest*
(every file, by id) and the *spine* (the reading order, as manifest ids).  The table of
contents is an NCX file (EPUB 2) and/or an XHTML ``<nav epub:type="toc">`` (EPUB 3); both
name a content document and optionally a fragment id inside it.

All of these are XML and come from untrusted files, so they are parsed with defusedxml:
entity declarations are refused outright (a few hundred bytes of nested entities expand to
gigabytes — "billion laughs" — and external entities read local files).  Every href is
resolved against the file that holds it and must stay inside the archive.

Content documents are XHTML; they are parsed with selectolax (an HTML parser, which never
expands entities) after XHTML's self-closing ``<div/>``-style tags are opened and closed.

This module also turns the OPF's Dublin Core metadata into Document fields and gives a work
its identity from its source URL; :mod:`ficsift.read.epub` reads the story itself.
"""

from __future__ import annotations

import html as htmllib
import html.entities
import lzma
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException, EntitiesForbidden
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficsift.model import Document, Status, TagType
from ficsift.read.base import ReadError
from ficsift.read.decode import decode_bytes
from ficsift.read.fields import note_dropped, parse_date, safe_url, status_from_word
from ficsift.read.html import node_text, parse_html
from ficsift.read.nesting import check_nesting, too_deep
from ficsift.read.safezip import SafeZip, check_member_name, resolve_href

CONTAINER = "META-INF/container.xml"
OPF_NS = "http://www.idpf.org/2007/opf"
OPS_NS = "http://www.idpf.org/2007/ops"
NCX_MEDIA_TYPE = "application/x-dtbncx+xml"
XHTML_MEDIA_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml", "text/xml"})
XHTML_SUFFIXES = (".xhtml", ".html", ".htm", ".xml")

# The five entities XML predefines; any other named entity in an OPF is an HTML habit.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED_ENTITY_RE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_VOID_TAGS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
# XHTML's <title/> or <div/> would swallow the document in an HTML parser.  No two
# quantifiers here can take the same characters ("[^<>]*?" then "\s*" did: quadratic in a
# run of spaces, 62 s for "<div" + 200,000 spaces + ">").
_SELF_CLOSING_RE = re.compile(r"<([A-Za-z][\w:.-]*+)(\s[^<>]*)?/>")
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_CALIBRE_MIDNIGHT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.0+)?(?:Z|[+-]00:?00)?$")
_PRIVATE_MARKS = dict.fromkeys(range(0xE000, 0xE004))
_JUNK_SUBJECTS = frozenset({"fanworks", "fanfiction", "fan fiction", "fanfic"})


@dataclass(slots=True)
class Metadata:
    """The OPF's Dublin Core metadata, as written (entities decoded, whitespace tidied)."""

    titles: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)  # authors only (role "aut" or none)
    contributors: list[str] = field(default_factory=list)
    description: str | None = None
    subjects: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)  # event ("" when none) -> value
    sources: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    publisher: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=… content=…>


@dataclass(slots=True)
class ManifestItem:
    id: str
    href: str
    path: str | None  # member name in the zip; None when the href leaves the archive
    media_type: str
    properties: frozenset[str] = frozenset()

    @property
    def is_document(self) -> bool:
        if self.media_type in XHTML_MEDIA_TYPES:
            return True
        return not self.media_type and self.href.lower().endswith(XHTML_SUFFIXES)


@dataclass(slots=True)
class SpineItem:
    item: ManifestItem
    linear: bool = True


@dataclass(slots=True)
class TocEntry:
    """One table-of-contents entry: a content document, maybe a fragment in it, a title."""

    path: str
    fragment: str | None
    title: str
    depth: int = 0


@dataclass(slots=True)
class Package:
    opf_path: str
    version: str
    metadata: Metadata
    manifest: dict[str, ManifestItem]
    spine: list[SpineItem]
    toc: list[TocEntry]
    landmarks: dict[str, str]  # member path -> guide/landmark type ("cover", "toc", …)
    warnings: list[str] = field(default_factory=list)  # optional parts that were unusable


def local(tag: object) -> str:
    """An element's name without its namespace, lower-cased (OPF 1 used ``dc:Title``)."""
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def text_of(elem: ET.Element) -> str:
    return " ".join("".join(elem.itertext()).split())


def parse_xml(data: bytes, member: str) -> ET.Element:
    """``data`` parsed with defusedxml; ReadError for entity declarations or broken XML.

    An encoding the XML declaration names wrongly ("x-bogus", or UTF-16 for UTF-8 bytes)
    costs nothing: the bytes are decoded as detected and parsed again.
    """
    check_nesting(data.decode("latin-1"), f"EPUB {member}", xml=True)
    try:
        return _parse_xml(data, member)
    except ReadError as exc:
        if not str(exc).startswith("corrupt EPUB") or "entit" in str(exc):
            raise
        if _XML_ENCODING_RE.match(data[:200]) is None:
            raise
        try:
            text = decode_bytes(data)
        except ReadError:
            raise exc from None
        utf8 = _XML_DECLARATION_RE.sub("", text, count=1).encode("utf-8")
        return _parse_xml(utf8, member)


def _parse_xml(data: bytes, member: str) -> ET.Element:
    try:
        return _fromstring(data)
    except EntitiesForbidden as exc:
        raise ReadError(
            f"EPUB refused: XML entity declarations (entity {exc.name!r} in {member}; "
            "entities can expand to gigabytes or read local files)"
        ) from None
    except DefusedXmlException as exc:
        raise ReadError(f"EPUB refused: {member} uses unsafe XML ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        if "undefined entity" in str(exc) and _NAMED_ENTITY_RE.search(data):
            # Many tools write HTML entities (&nbsp; &eacute;) into XML; XML readers in
            # e-readers accept them, so replace the known names with character references.
            try:
                return _fromstring(_NAMED_ENTITY_RE.sub(_entity_ref, data))
            except (ET.ParseError, DefusedXmlException, ValueError):
                pass
        raise ReadError(f"corrupt EPUB: {member} is not well-formed XML ({exc})") from None
    except (ValueError, LookupError) as exc:  # an encoding declaration Python does not know
        raise ReadError(f"corrupt EPUB: {member} cannot be decoded ({exc})") from None


def _fromstring(data: bytes) -> ET.Element:
    root = DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    if not isinstance(root, ET.Element):  # defusedxml is untyped; make mypy and us sure
        raise ET.ParseError("no root element")
    return root


def _entity_ref(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES:
        return match.group(0)
    code = html.entities.name2codepoint.get(name)
    return f"&#{code};".encode("ascii") if code is not None else match.group(0)


def read_member(archive: SafeZip, path: str) -> bytes:
    """One member's bytes through SafeZip's limits, with corrupt data as a ReadError.

    SafeZip turns zipfile's errors into ReadError but not the decompressors' own
    (``zlib.error`` for a damaged deflate stream, ``lzma.LZMAError``), so they are caught
    here rather than surfacing as a reader crash.
    """
    try:
        return archive.read(path)
    except (zlib.error, lzma.LZMAError, EOFError) as exc:
        raise ReadError(f"corrupt EPUB entry {path!r}: {exc}") from None


def read_package(archive: SafeZip) -> Package:
    """The package document found through ``META-INF/container.xml``."""
    if CONTAINER not in archive:
        raise ReadError("EPUB has no container.xml (META-INF/container.xml is missing)")
    container = parse_xml(read_member(archive, CONTAINER), CONTAINER)
    rootfiles = [e for e in container.iter() if local(e.tag) == "rootfile" and e.get("full-path")]
    if not rootfiles:
        raise ReadError("EPUB's container.xml names no package document (rootfile)")
    preferred = [e for e in rootfiles if e.get("media-type") == "application/oebps-package+xml"]
    opf_path = str((preferred or rootfiles)[0].get("full-path", "")).strip()
    try:
        check_member_name(opf_path, "EPUB")
    except ReadError as exc:
        raise ReadError(f"EPUB's container.xml points outside the archive: {exc}") from None
    if opf_path not in archive:
        raise ReadError(f"EPUB's container.xml names {opf_path!r}, which is missing")
    root = parse_xml(read_member(archive, opf_path), opf_path)
    if local(root.tag) != "package":
        raise ReadError(f"corrupt EPUB: {opf_path} is not an OPF package document")

    pkg = Package(
        opf_path=opf_path,
        version=str(root.get("version") or ""),
        metadata=Metadata(),
        manifest={},
        spine=[],
        toc=[],
        landmarks={},
    )
    _read_metadata(root, pkg.metadata)
    _read_manifest(root, pkg)
    toc_id = _read_spine(root, pkg)
    _read_guide(root, pkg)
    _read_toc(archive, pkg, toc_id)
    return pkg


def _child(root: ET.Element, name: str) -> ET.Element | None:
    for elem in root:
        if local(elem.tag) == name:
            return elem
    return None


def _read_metadata(root: ET.Element, meta: Metadata) -> None:
    block = _child(root, "metadata")
    if block is None:
        return
    # EPUB 3 gives creator roles in <meta refines="#id" property="role">.
    roles: dict[str, str] = {}
    for elem in block.iter():
        if local(elem.tag) == "meta" and elem.get("property") == "role" and elem.get("refines"):
            roles[str(elem.get("refines")).lstrip("#")] = text_of(elem)
    for elem in block.iter():
        name = local(elem.tag)
        value = text_of(elem)
        if name == "meta":
            if elem.get("name") and elem.get("content") is not None:
                meta.meta[str(elem.get("name"))] = " ".join(str(elem.get("content")).split())
            elif elem.get("property") and not elem.get("refines") and value:
                meta.meta[str(elem.get("property"))] = value
            continue
        if not value:
            continue
        if name == "title":
            meta.titles.append(value)
        elif name in {"creator", "contributor"}:
            role = (
                elem.get(f"{{{OPF_NS}}}role") or elem.get("role") or roles.get(elem.get("id") or "")
            )
            if name == "creator" and (not role or role.lower() == "aut"):
                if value.casefold() not in _NO_AUTHOR:
                    meta.creators.append(value)
            else:
                meta.contributors.append(value)
        elif name == "description":
            # Keep the paragraphs: the description is often HTML, escaped or not.
            meta.description = meta.description or "".join(elem.itertext()).strip()
        elif name == "subject":
            meta.subjects.append(value)
        elif name == "language":
            meta.languages.append(value)
        elif name == "date":
            event = str(elem.get(f"{{{OPF_NS}}}event") or elem.get("event") or "").lower()
            meta.dates.setdefault(event, value)
        elif name == "source":
            meta.sources.append(value)
        elif name == "identifier":
            meta.identifiers.append(value)
        elif name == "publisher":
            meta.publisher = meta.publisher or value


def _read_manifest(root: ET.Element, pkg: Package) -> None:
    block = _child(root, "manifest")
    if block is None:
        return
    for elem in block:
        if local(elem.tag) != "item" or not elem.get("id") or elem.get("href") is None:
            continue
        href = str(elem.get("href"))
        item = ManifestItem(
            id=str(elem.get("id")),
            href=href,
            path=resolve_href(pkg.opf_path, href),
            media_type=str(elem.get("media-type") or "").lower().split(";")[0].strip(),
            properties=frozenset(str(elem.get("properties") or "").split()),
        )
        pkg.manifest.setdefault(item.id, item)


def _read_spine(root: ET.Element, pkg: Package) -> str | None:
    block = _child(root, "spine")
    if block is None:
        return None
    for elem in block:
        if local(elem.tag) != "itemref":
            continue
        idref = str(elem.get("idref") or "")
        item = pkg.manifest.get(idref)
        if item is None:
            pkg.warnings.append(f"spine names {idref!r}, which the manifest lacks (skipped)")
            continue
        pkg.spine.append(SpineItem(item, linear=str(elem.get("linear") or "yes").lower() != "no"))
    return block.get("toc")


def _read_guide(root: ET.Element, pkg: Package) -> None:
    block = _child(root, "guide")
    if block is None:
        return
    for elem in block:
        if local(elem.tag) == "reference" and elem.get("href") and elem.get("type"):
            path = resolve_href(pkg.opf_path, str(elem.get("href")))
            if path:
                pkg.landmarks.setdefault(path, str(elem.get("type")).lower())


def _read_toc(archive: SafeZip, pkg: Package, toc_id: str | None) -> None:
    """Table of contents from the EPUB 3 nav, else the NCX; a broken one is only a warning.

    A missing or broken table of contents costs only chapter titles, so it never fails the
    book — except for entity declarations, which are refused wherever they appear.
    """
    nav = next((i for i in pkg.manifest.values() if "nav" in i.properties), None)
    ncx = pkg.manifest.get(toc_id or "")
    if ncx is None:
        ncx = next((i for i in pkg.manifest.values() if i.media_type == NCX_MEDIA_TYPE), None)
    for item, parser in ((nav, _nav_entries), (ncx, _ncx_entries)):
        if item is None:
            continue
        if item.path is None or item.path not in archive:
            pkg.warnings.append(f"table of contents {item.href!r} is missing")
            continue
        try:
            root = parse_xml(read_member(archive, item.path), item.path)
        except ReadError as exc:
            if "entity" in str(exc):
                raise
            pkg.warnings.append(str(exc))
            continue
        entries = parser(root, item.path, pkg)
        if entries:
            pkg.toc = entries
            return


def _ncx_entries(root: ET.Element, path: str, pkg: Package) -> list[TocEntry]:
    nav_map = next((e for e in root.iter() if local(e.tag) == "navmap"), None)
    out: list[TocEntry] = []
    if nav_map is not None:
        _ncx_points(nav_map, path, 0, out)
    return out


def _ncx_points(parent: ET.Element, path: str, depth: int, out: list[TocEntry]) -> None:
    for point in parent:
        if local(point.tag) != "navpoint":
            continue
        label = next((e for e in point if local(e.tag) == "navlabel"), None)
        content = next((e for e in point if local(e.tag) == "content"), None)
        title = text_of(label) if label is not None else ""
        if content is not None and content.get("src"):
            _add_entry(out, path, str(content.get("src")), title, depth)
        _ncx_points(point, path, depth + 1, out)


def _nav_entries(root: ET.Element, path: str, pkg: Package) -> list[TocEntry]:
    navs = [e for e in root.iter() if local(e.tag) == "nav"]
    toc = None
    for nav in navs:
        kind = str(nav.get(f"{{{OPS_NS}}}type") or nav.get("type") or "").lower()
        if kind == "landmarks":
            for link in nav.iter():
                if local(link.tag) == "a" and link.get("href"):
                    target = resolve_href(path, str(link.get("href")))
                    link_type = str(link.get(f"{{{OPS_NS}}}type") or "").lower()
                    if target and link_type:
                        pkg.landmarks.setdefault(target, link_type)
        elif kind == "toc" and toc is None:
            toc = nav
    toc = toc if toc is not None else (navs[0] if navs else None)
    out: list[TocEntry] = []
    if toc is not None:
        ol = next((e for e in toc if local(e.tag) == "ol"), None)
        if ol is not None:
            _nav_list(ol, path, 0, out)
    return out


def _nav_list(ol: ET.Element, path: str, depth: int, out: list[TocEntry]) -> None:
    for li in ol:
        if local(li.tag) != "li":
            continue
        for child in li:
            name = local(child.tag)
            if name == "a" and child.get("href"):
                _add_entry(out, path, str(child.get("href")), text_of(child), depth)
            elif name == "ol":
                _nav_list(child, path, depth + 1, out)


def _add_entry(out: list[TocEntry], base: str, href: str, title: str, depth: int) -> None:
    target = resolve_href(base, href)
    if target is None:
        return  # a web link or a path out of the archive: not a chapter
    fragment = href.split("#", 1)[1] if "#" in href else None
    out.append(TocEntry(target, fragment or None, title, depth))


# --- content documents -------------------------------------------------------------------


class ContentDoc:
    """One spine document: its HTML, parsed only while a reader looks at it.

    A parsed document costs lexbor ~120 KB however small it is, so keeping every one parsed
    made an EPUB of 15,000 short chapters cost 3.4 GB.  Readers take :attr:`body` per
    document and :meth:`release` it when done; a released document parses again on demand
    (without the changes made to the old tree).
    """

    __slots__ = ("_tree", "html", "linear", "path")

    def __init__(self, path: str, html: str, linear: bool = True) -> None:
        self.path = path
        self.html = html
        self.linear = linear
        self._tree: LexborHTMLParser | None = None

    @property
    def tree(self) -> LexborHTMLParser:
        if self._tree is None:
            self._tree = parse_html(self.html)
        return self._tree

    @property
    def body(self) -> LexborNode:
        body = self.tree.body
        if body is None:  # lexbor always makes one; a tree without is a bug, not a file
            raise ReadError(f"EPUB document {self.path!r} has no body")
        return body

    def release(self) -> None:
        self._tree = None


def load_documents(archive: SafeZip, pkg: Package, warnings: list[str]) -> list[ContentDoc]:
    """Spine documents in reading order (not yet parsed); unusable items become warnings."""
    if not pkg.spine:
        raise ReadError("EPUB spine is empty")
    docs: list[ContentDoc] = []
    seen: set[str] = set()
    for entry in pkg.spine:
        item = entry.item
        if not item.is_document:
            continue
        if item.path is None:
            warnings.append(f"spine item {item.href!r} points outside the EPUB (refused)")
            continue
        if item.path in seen:  # a spine naming one file a million times reads it once
            continue
        seen.add(item.path)
        if item.path not in archive:
            warnings.append(f"spine item {item.path!r} is missing from the EPUB")
            continue
        data = read_member(archive, item.path)  # bombs and unsafe names fail the whole book
        match = _XML_ENCODING_RE.match(data[:200])
        try:
            text = decode_bytes(data, match.group(1).decode("ascii") if match else None)
        except ReadError as exc:
            warnings.append(f"{item.path}: {exc}")
            continue
        # The EPUB reader marks places with private-use characters U+E000–U+E003; a file's
        # own would be taken for marks (and index past the table of contents).
        html = xhtml_as_html(text.translate(_PRIVATE_MARKS))
        check_nesting(html, f"EPUB document {item.path!r}")  # before any parser sees it
        docs.append(ContentDoc(item.path, html, entry.linear))
    if not docs:
        reason = f" ({warnings[0]})" if warnings else ""
        raise ReadError(f"EPUB has no readable content documents{reason}")
    return docs


def xhtml_as_html(text: str) -> str:
    """XHTML made safe for an HTML parser: ``<x/>`` on non-void elements opened and closed."""

    def expand(match: re.Match[str]) -> str:
        tag = match.group(1)
        if tag.lower() in _VOID_TAGS:
            return match.group(0)
        return f"<{tag}{match.group(2) or ''}></{tag}>"

    return _SELF_CLOSING_RE.sub(expand, text)


# --- what the OPF says about the work --------------------------------------------------------


def apply_metadata(doc: Document, meta: Metadata, flavour: str) -> None:
    """OPF metadata for whatever the flavour's own pages did not give.

    AO3's preface states everything the OPF does (calibre's ``dc:date`` is the revision date,
    not publication, and ``dc:subject`` repeats the tags), so AO3 books take only names.
    """
    doc.title = doc.title or (meta.titles[0] if meta.titles else None)
    if not doc.authors:
        doc.authors.extend(dict.fromkeys(meta.creators))
    if not doc.summary and meta.description:
        if too_deep(meta.description):
            note_dropped(doc, "summary", meta.description, "its HTML nests too deeply")
        else:
            doc.summary = node_text(parse_html(meta.description).body) or None
    if not doc.language and meta.languages:
        doc.language = meta.languages[0]
    if flavour == "ao3":
        return
    published = (
        meta.dates.get("publication")
        or meta.dates.get("original-publication")
        or meta.dates.get("")
    )
    doc.published = doc.published or _tidy_date(doc, "published", published)
    doc.updated = doc.updated or _tidy_date(doc, "updated", meta.dates.get("modification"))
    add_subjects(doc, meta.subjects)


def _tidy_date(doc: Document, which: str, value: str | None) -> str | None:
    if not value or value.startswith("0101-"):  # calibre's "no date"
        return None
    match = _CALIBRE_MIDNIGHT_RE.match(value)
    date = parse_date(match.group(1) if match else value)
    if date is None:
        note_dropped(doc, which, value, "not a real date")
    return date


def add_subjects(doc: Document, subjects: list[str]) -> None:
    """``dc:subject`` entries as tags typed where AO3 would type them (its fixed ratings,
    warnings and categories; fandoms, relationships and characters the tag ontology knows),
    the rest freeform; minus what is already a tag or a status."""
    have = {t.name.lower() for t in doc.tags}
    names: list[str] = []
    for subject in subjects:
        # FanFicFare escapes "&" twice ("Harry &amp;amp; Hermione"), so unescape once more.
        name = " ".join(htmllib.unescape(subject).split())
        low = name.lower()
        if not name or low in have or low in _JUNK_SUBJECTS or low.startswith("last update"):
            continue
        status = status_from_word(name)
        if status != Status.UNKNOWN:
            doc.status = doc.status if doc.status != Status.UNKNOWN else status
            continue
        names.append(name)
        have.add(low)
    for name, kind in subject_types(names):
        doc.add_tag(name, kind)


_FIXED_TYPES = {
    **dict.fromkeys(
        ["general audiences", "teen and up audiences", "mature", "explicit", "not rated"],
        TagType.RATING,
    ),
    **dict.fromkeys(
        [
            "no archive warnings apply", "creator chose not to use archive warnings",
            "graphic depictions of violence", "major character death", "rape/non-con",
            "underage", "underage sex",
        ],
        TagType.WARNING,
    ),
    **dict.fromkeys(["gen", "f/m", "m/m", "f/f", "multi", "other"], TagType.CATEGORY),
}  # fmt: skip
# What a converter writes when it was told no author (calibre's "Unknown").
_NO_AUTHOR = frozenset({"unknown", "unknown author", "author unknown", "anonymous author"})
_ONTOLOGY_TYPES = {
    "character": TagType.CHARACTER,
    "relationship": TagType.RELATIONSHIP,
    "freeform": TagType.FREEFORM,
    "fandom": TagType.FANDOM,
}


def subject_types(names: list[str]) -> list[tuple[str, TagType]]:
    """Each subject with its tag type: fixed AO3 vocabulary first, then the ontology (a
    fandom name is a fandom before it is a character of that name, "Doctor Who"; a pairing
    resolves within the book's fandoms, "Ten/Rose"), freeform when unknown."""
    typed = [(n, _FIXED_TYPES.get(n.lower())) for n in names]
    if all(kind is not None for _, kind in typed):
        return [(n, kind or TagType.FREEFORM) for n, kind in typed]
    from ficsift.ontology import load_ontology  # only books with subjects pay for loading it

    onto = load_ontology()
    # A character's name leads to her fandom too ("Dean Winchester" → Supernatural): a
    # subject is a fandom only when no other tag type has it first.
    fandoms = [
        n
        for n, kind in typed
        if kind is None and onto.canonical(n, "fandom") and onto.tag_type(n) in (None, "fandom")
    ]
    out: list[tuple[str, TagType]] = []
    for name, kind in typed:
        if kind is None and name in fandoms:
            kind = TagType.FANDOM
        elif kind is None and ("/" in name or " & " in name):
            known = any(onto.canonical_relationship(name, fandom=f) for f in fandoms[:3])
            if known or onto.canonical_relationship(name):
                kind = TagType.RELATIONSHIP
        if kind is None:
            found = onto.tag_type(name)
            kind = _ONTOLOGY_TYPES.get(found or "", TagType.FREEFORM)
        out.append((name, kind))
    return out


def source_url(meta: Metadata) -> str | None:
    """The story's web address from ``dc:source``/``dc:identifier`` (http(s) only)."""
    for value in meta.sources + meta.identifiers:
        value = value.strip()
        if value.lower().startswith("url:"):
            value = value[4:].strip()
        if url := safe_url(value):
            return url
    return None
