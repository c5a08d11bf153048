"""XML, read as ``core/xmlconf.c: uwsgi_xml_config()`` reads it with libxml2 (options 0).

The root must be ``<uwsgi>`` (its ``id`` is never checked) or else the first direct child
``<uwsgi>`` of the root whose ``id`` matches (one without ``id`` matches any); a root with no
child node at all is accepted and gives nothing.  Each child element of that ``<uwsgi>`` is an
option named after its tag (local name when the namespace prefix is declared); an element
with no child node gives ``"1"``, otherwise the value is the content of its FIRST child node,
untrimmed: merged text, CDATA, a comment's text or a processing instruction's data.  A first
child that is an element (or a ``<?pi?>`` without data) makes 2.0.31 crash on
``strdup(NULL)``.  Children whose ``id`` differs from the requested id are skipped; CDATA
directly under ``<uwsgi>`` becomes ``eval``; ``<app mountpoint="/x">f</app>`` becomes
``mount = /x=f`` and ``app =`` (``domain="h"`` gives ``h|=f``).

The text is parsed with the stdlib expat, guarded like defusedxml: entity declarations and
external or skipped entity references stop the parse (nothing is expanded or fetched), and
libxml2's depth limit (256 open ancestors without ``XML_PARSE_HUGE``) stops it early.

``section`` is the ``id`` of ``FILE:id``; the default ``"uwsgi"`` means no id was given
(uWSGI then filters nothing) unless ``explicit`` says it was (``FILE:uwsgi`` skips the
children with another ``id``, verified with uWSGI 2.0.31).  ``""`` is the empty id, which
uWSGI refuses.

What uWSGI ignores in the chosen ``<uwsgi>`` is recorded as problems: attributes of option
elements (``UW017``) and the child nodes after the first one, or a comment taken as the
value (``UW019``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from xml.parsers import expat

from ..model import (
    Applicability,
    Comment,
    ConfigFile,
    Directive,
    Edit,
    Fix,
    Format,
    Problem,
    Section,
    Span,
)
from ..source import Expanded
from .common import (
    APP_NOTE,
    COMMENT_VALUE,
    ONLY_FIRST_CHILD,
    PI_VALUE,
    make_directive,
    section_of,
)

# libxml2 xmlParserMaxDepth: an element with more open ancestors is a fatal error
MAX_DEPTH = 256
# nodes kept: root, <uwsgi>, option, its children, their children (for <app>)
_KEEP = 5
_BLOCK = 256

_START_TAG = re.compile(r"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>""")
_NAME = re.compile(r"[^\s/>?]+")
_SPACE = re.compile(r"[ \t\r\n]*")
_BAD_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_FATAL = "invalid XML, uWSGI exits (could not parse file): "
ATTRIBUTE_IGNORED = "UW017"
FIRST_CHILD_ONLY = "UW019"
APP_DROPPED = "UW026"
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_APP_ATTRIBUTES = frozenset({"mountpoint", "domain"})


class _Stop(Exception):
    """Raised from a handler to abandon the parse."""

    def __init__(self, message: str, offset: int, fatal: bool = True) -> None:
        super().__init__(message)
        self.message = f"{_FATAL}{message}" if fatal else message
        self.offset = offset


@dataclass(slots=True, eq=False)
class _Node:
    """One libxml2 node: an element, or text/cdata/comment/pi with its content."""

    kind: str
    start: int
    end: int = -1
    name: str = ""
    name_end: int = -1
    tag_end: int = -1
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)
    value: str | None = None  # None: libxml2 content is NULL
    vstart: int = -1
    vend: int = -1
    parts: list[str] = field(default_factory=list)
    closed: bool = True  # False: an element the parse never finished


class _ByteMap:
    """Byte offsets in the UTF-8 fed to expat -> character offsets in the text.

    Lookups come in increasing order, so a cursor makes them linear overall.  Where
    undecodable bytes would re-decode differently (escaped bytes that magic substitution
    joined into valid UTF-8), a slower exact search by blocks is used instead.
    """

    def __init__(self, feed: str, data: bytes) -> None:
        self.feed = feed
        self.data = data
        self.ascii = len(data) == len(feed)
        self.exact = self.ascii or data.decode("utf-8", "surrogateescape") == feed
        self.at_byte = 0
        self.at_char = 0
        self.marks: list[int] = [0]
        if not self.exact:
            total = 0
            for i in range(0, len(feed), _BLOCK):
                total += len(_encode(feed[i : i + _BLOCK]))
                self.marks.append(total)

    def char(self, byte: int) -> int:
        byte = min(max(byte, 0), len(self.data))
        if self.ascii:
            return byte
        if not self.exact:
            return self._search(byte)
        if byte < self.at_byte:
            self.at_byte = self.at_char = 0
        self.at_char += len(self.data[self.at_byte : byte].decode("utf-8", "surrogateescape"))
        self.at_byte = byte
        return self.at_char

    def _search(self, byte: int) -> int:
        block = bisect_right(self.marks, byte) - 1
        base = block * _BLOCK
        if base >= len(self.feed):
            return len(self.feed)
        want = byte - self.marks[block]
        chunk = self.feed[base : base + _BLOCK]
        lo, hi = 0, len(chunk)
        while lo < hi:  # largest k with len(encode(chunk[:k])) <= want
            mid = (lo + hi + 1) // 2
            if len(_encode(chunk[:mid])) <= want:
                lo = mid
            else:
                hi = mid - 1
        return base + lo


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class _Builder:
    """Drives expat over the text and builds the few top levels of libxml2's tree."""

    def __init__(self, exp: Expanded, cfg: ConfigFile) -> None:
        self.exp = exp
        self.text = exp.text
        self.cfg = cfg
        feed = _BAD_SURROGATE.sub("\ufffd", exp.text)
        self.data = _encode(feed)
        self.map = _ByteMap(feed, self.data)
        self.root: _Node | None = None
        self.stack: list[_Node | None] = []
        self.prefixes: dict[str, int] = {"xml": 1}
        self.declared: list[list[str]] = []
        self.open_text: _Node | None = None
        self.cdata: _Node | None = None
        self.cdata_from = 0
        self.failed = False
        p = expat.ParserCreate()
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._chars
        p.CommentHandler = self._comment
        p.ProcessingInstructionHandler = self._pi
        p.StartCdataSectionHandler = self._cdata_start
        p.EndCdataSectionHandler = self._cdata_end
        p.EntityDeclHandler = self._refuse_decl
        p.UnparsedEntityDeclHandler = self._refuse_decl
        p.ExternalEntityRefHandler = self._refuse_ref
        p.SkippedEntityHandler = self._refuse_ref
        self.parser = p

    # -- driving -------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.parser.Parse(self.data, True)
        except _Stop as stop:
            self._fail(stop.message, stop.offset)
        except expat.ExpatError as err:
            offset = self.map.char(max(self.parser.ErrorByteIndex, 0))
            self._fail(_FATAL + self._expat_message(err, offset), offset)
        except RecursionError:  # pragma: no cover - expat does not recurse per element
            self._fail(_FATAL + "document too deeply nested", len(self.text))

    def _expat_message(self, err: expat.ExpatError, offset: int) -> str:
        ch = self.text[offset] if offset < len(self.text) else ""
        if "\udc80" <= ch <= "\udcff":
            return f"Input is not proper UTF-8 (byte 0x{ord(ch) - 0xDC00:02X})"
        return expat.ErrorString(err.code) or str(err)

    def _fail(self, message: str, offset: int) -> None:
        self.failed = True
        offset = min(max(offset, 0), len(self.text))
        self._flush(offset)
        for node in self.stack:
            if node is not None and node.end < 0:
                node.end = offset
                node.closed = False
        if self.cdata is not None:
            self.cdata.vend = self.cdata.end = offset
            self.cdata.value = (self.cdata.value or "") + "".join(self.cdata.parts)
            self.cdata.closed = False
        span = self.exp.span(offset, min(offset + 1, len(self.text)))
        self.cfg.problems.append(Problem("UW001", message, span))

    def _pos(self) -> int:
        return self.map.char(self.parser.CurrentByteIndex)

    def _parent(self) -> _Node | None:
        return self.stack[-1] if self.stack else None

    def _flush(self, pos: int) -> None:
        node = self.open_text
        if node is not None:
            node.end = node.vend = pos
            node.value = "".join(node.parts)
            node.parts = []
            self.open_text = None

    # -- guard ---------------------------------------------------------------------------

    def _refuse_decl(self, name: str, *_: object) -> None:
        pos = self._pos()
        start = self.text.rfind("<!ENTITY", 0, pos + 1)
        raise _Stop(
            f"entity declarations are refused (<!ENTITY {name} ...>): uwsgi-lint never "
            "expands XML entities",
            pos if start < 0 else start,
            fatal=False,
        )

    def _refuse_ref(self, name: str | None, *_: object) -> int:
        raise _Stop(
            f"external or undeclared entity reference {name or ''} refused: uwsgi-lint "
            "never fetches or expands entities",
            self._pos(),
            fatal=False,
        )

    # -- handlers ------------------------------------------------------------------------

    def _local(self, qname: str) -> str:
        prefix, sep, local = qname.partition(":")
        return local if sep and self.prefixes.get(prefix, 0) > 0 else qname

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        pos = self._pos()
        self._flush(pos)
        if len(self.stack) > MAX_DEPTH:
            raise _Stop(f"Excessive depth in document: {MAX_DEPTH} use XML_PARSE_HUGE option", pos)
        decl = [k[6:] for k in attrs if k.startswith("xmlns:")]
        for prefix in decl:
            self.prefixes[prefix] = self.prefixes.get(prefix, 0) + 1
        self.declared.append(decl)
        if len(self.stack) >= _KEEP:
            self.stack.append(None)
            return
        node = _Node("element", pos, name=self._local(name))
        for key, value in attrs.items():
            if key != "xmlns" and not key.startswith("xmlns:"):
                node.attrs.setdefault(self._local(key), value)
        m = _NAME.match(self.text, pos + 1)
        node.name_end = m.end() if m else pos + 1
        m = _START_TAG.match(self.text, pos)
        node.tag_end = m.end() if m else self.text.find(">", pos) + 1
        parent = self._parent()
        if parent is not None:
            parent.children.append(node)
        elif not self.stack:
            self.root = node
        self.stack.append(node)

    def _end(self, name: str) -> None:
        pos = self._pos()
        self._flush(pos)
        node = self.stack.pop()
        for prefix in self.declared.pop():
            self.prefixes[prefix] -= 1
        if node is None:
            return
        if self.text[node.tag_end - 2 : node.tag_end] == "/>":
            node.end = node.tag_end
        else:
            node.end = self.text.find(">", pos) + 1

    def _chars(self, data: str) -> None:
        if self.cdata is not None:
            self.cdata.parts.append(data)
            return
        if self.open_text is None:
            parent = self._parent()
            if parent is None:
                return
            pos = self._pos()
            self.open_text = _Node("text", pos, vstart=pos)
            parent.children.append(self.open_text)
        self.open_text.parts.append(data)

    def _comment(self, data: str) -> None:
        pos = self._pos()
        self._flush(pos)
        end = self.text.find("-->", pos + 4) + 3
        self.cfg.comments.append(Comment(self.exp.raw(pos, end), self.exp.span(pos, end)))
        parent = self._parent()
        if parent is not None:
            parent.children.append(
                _Node("comment", pos, end, value=data, vstart=pos + 4, vend=end - 3)
            )

    def _pi(self, target: str, data: str) -> None:
        pos = self._pos()
        self._flush(pos)
        parent = self._parent()
        if parent is None:
            return
        end = self.text.find("?>", pos + 2) + 2
        m = _NAME.match(self.text, pos + 2)
        after = m.end() if m else pos + 2
        node = _Node("pi", pos, end, name=target, vstart=end - 2, vend=end - 2)
        if not self.text.startswith("?>", after):  # libxml2: content NULL without data
            node.value = data
            node.vstart = min(_SPACE.match(self.text, after).end(), end - 2)  # type: ignore[union-attr]
        parent.children.append(node)

    def _cdata_start(self) -> None:
        pos = self._pos()
        self._flush(pos)
        self.cdata_from = pos + 9
        parent = self._parent()
        if parent is None:
            return
        last = parent.children[-1] if parent.children else None
        if last is not None and last.kind == "cdata":  # libxml2 concatenates adjacent CDATA
            self.cdata = last
            return
        self.cdata = _Node("cdata", pos, vstart=pos + 9)
        parent.children.append(self.cdata)

    def _cdata_end(self) -> None:
        node = self.cdata
        if node is None:
            return
        node.vend = self.text.find("]]>", self.cdata_from)
        node.end = node.vend + 3
        node.value = (node.value or "") + "".join(node.parts)
        node.parts = []
        self.cdata = None


# -- evaluation: what uwsgi_xml_config() appends ---------------------------------------------


def _choose(root: _Node, want: str | None) -> _Node | None:
    """The element uWSGI reads options from (``None``: invalid root element)."""
    if root.name == "uwsgi" or not root.children:
        return root
    for node in root.children:
        if node.kind == "element" and node.name == "uwsgi":
            xml_id = node.attrs.get("id")
            if want is not None and xml_id is not None and xml_id != want:
                continue
            return node
    return None


@dataclass(slots=True)
class _Reader:
    """Turns the children of the chosen ``<uwsgi>`` into directives (``problems=None``: quiet)."""

    exp: Expanded
    section: str
    problems: list[Problem] | None

    def directive(
        self,
        node: _Node,
        value: tuple[int, int],
        key_text: str,
        value_text: str,
        note: str = "",
        key: tuple[int, int] | None = None,
    ) -> Directive:
        return make_directive(
            self.exp,
            Format.XML,
            self.section,
            key or (node.start + 1, node.name_end),
            value,
            (node.start, node.end),
            key_text=key_text,
            value_text=value_text,
            note=note,
        )

    def problem(self, message: str, node: _Node) -> None:
        if self.problems is not None:
            self.problems.append(Problem("UW001", message, self.exp.span(node.start, node.end)))

    def options(self, chosen: _Node, want: str | None) -> list[Directive]:
        out: list[Directive] = []
        for node in chosen.children:
            xml_id = node.attrs.get("id")
            if not node.closed or (want is not None and xml_id is not None and xml_id != want):
                continue
            if node.kind == "cdata":
                out.append(
                    self.directive(
                        node,
                        (node.vstart, node.vend),
                        "eval",
                        node.value or "",
                        "CDATA directly under <uwsgi> becomes eval",
                        key=(node.start, node.vstart),
                    )
                )
            elif node.kind == "element" and node.name == "app":
                self.attributes(node)
                out.extend(self.app(node))
            elif node.kind == "element":
                out.extend(self.element(node))
        return out

    def element(self, node: _Node) -> list[Directive]:
        if not node.children or node.children[0].kind != "element":
            self.attributes(node)  # (not when uWSGI crashes on the element: UW001)
        if not node.children:
            empty = (node.tag_end, node.tag_end)
            return [self.directive(node, empty, node.name, "1", "empty element becomes 1")]
        first = node.children[0]
        if first.kind == "element" or first.value is None:
            what = f"<{first.name}>" if first.kind == "element" else "<?pi?> without data"
            self.problem(
                f"uWSGI 2.0.31 crashes (SIGSEGV) on a nested element <{node.name}>{what}...: "
                "the first child of an option element must be its text",
                node,
            )
            return []
        notes = {"comment": COMMENT_VALUE, "pi": PI_VALUE}
        note = notes.get(first.kind, "")
        if len(node.children) > 1:
            note = "; ".join(filter(None, [note, ONLY_FIRST_CHILD]))
        self.first_child(node, first)
        return [self.directive(node, (first.vstart, first.vend), node.name, first.value, note)]

    def report(self, code: str, message: str, start: int, end: int, detail: str = "",
               fix: Fix | None = None) -> None:
        if self.problems is not None:
            self.problems.append(Problem(code, message, self.exp.span(start, end), detail, fix))

    def first_child(self, node: _Node, first: _Node) -> None:
        """A comment taken as the value, or content after the first child node, lost."""
        if self.problems is None:
            return
        name = node.name
        if first.kind in ("comment", "pi"):
            what = "a comment" if first.kind == "comment" else "a processing instruction"
            rest = [c for c in node.children[1:] if _content(c)]
            ignores = f" and ignores {_label(rest[0])}" if rest else ""
            self.report(
                FIRST_CHILD_ONLY,
                f"the first child node of <{name}> is {what}: uWSGI takes its text "
                f"`{_shown(first.value or '')}` as the value of `{name}`{ignores}; "
                f"move the {what.split()[-1]} out of <{name}>",
                first.start,
                first.end,
            )
            return
        lost = [c for c in node.children[1:] if _content(c)]
        if not lost:
            return
        shown = ", ".join(_label(c) for c in lost[:3]) + (", ..." if len(lost) > 3 else "")
        got = (
            f"the blank text before {_label(node.children[1])}"
            if not (first.value or "").strip()
            else f"`{_shown(first.value or '')}`"
        )
        self.report(
            FIRST_CHILD_ONLY,
            f"uWSGI takes only the first child node of <{name}>, {got}: the rest ({shown}) is "
            f"ignored; write the whole value as one text, without comments or elements inside",
            lost[0].start,
            lost[-1].end,
        )

    def attributes(self, node: _Node) -> None:
        """Attributes of an option element that uWSGI never reads."""
        if self.problems is None or not node.attrs:
            return
        allowed = _APP_ATTRIBUTES if node.name == "app" else frozenset()
        tag = self.exp.text[node.start : node.tag_end]
        ignored = [
            m for m in _ATTRIBUTE.finditer(tag)
            if not (m.group(1) == "xmlns" or m.group(1).startswith("xmlns:"))
            and m.group(1).rpartition(":")[2] not in (*allowed, "id")
        ]
        for m in ignored:
            qname = m.group(1)
            local = qname.rpartition(":")[2]
            written = m.group(0)
            detail = ""
            fix = None
            if local == "mode":
                message = (
                    f"uWSGI 2.0.31 never filters on `mode`: the `mode` option is not set yet "
                    f"while the XML is read, so this <{node.name}> always applies"
                )
            elif not node.children and node.name != "app":
                message = (
                    f"`{_shown(written)}` never reaches `{node.name}`, which gets `1`, the "
                    f"value of an empty element; write <{node.name}>"
                    f"{_shown(node.attrs.get(local, ''))}</{node.name}>"
                )
                detail = "uWSGI ignores XML attributes (only `id` selects a block)."
                fix = self.as_text(node, m) if len(ignored) == 1 else None
            else:
                message = (
                    f"uWSGI ignores XML attributes (only `id` selects): `{_shown(written)}` "
                    f"has no effect on <{node.name}>"
                )
            start = node.start + m.start()
            self.report(ATTRIBUTE_IGNORED, message, start, start + len(written), detail, fix)

    def as_text(self, node: _Node, attribute: re.Match[str]) -> Fix | None:
        """The empty element ``node`` rewritten with the value of its one ignored
        ``attribute`` as its text (``<harakiri value="30"/>`` -> ``<harakiri>30</harakiri>``);
        none for a value that would not read the same as text (blanks, line breaks)."""
        written = self.exp.raw(node.start, node.end)
        value = attribute.group(2)[1:-1]
        if written != self.exp.text[node.start : node.end] or not value:
            return None
        if value != value.strip(" ") or any(c in value for c in "\t\r\n") or "]]>" in value:
            return None
        qname = written[1 : node.name_end - node.start]
        tag = written[: node.tag_end - node.start]
        others = (tag[: attribute.start()].rstrip(" \t\r\n") + tag[attribute.end() :])
        others = others.removesuffix(">").removesuffix("/").rstrip(" \t\r\n")
        element = f"{others}>{value}</{qname}>"
        return Fix(f"write {element}", (Edit(self.exp.span(node.start, node.end), element),),
                   Applicability.UNSAFE)

    def app(self, node: _Node) -> list[Directive]:
        """``<app>``: ``mount`` from its only child, or from its second child's first child."""
        empty = (node.tag_end, node.tag_end)
        app = self.directive(node, empty, "app", "", APP_NOTE)
        kids = node.children
        if not kids:
            return [app]
        source: _Node | None = None
        if len(kids) == 1 and kids[0].value is not None:
            source = kids[0]
        elif len(kids) > 1 and kids[1].children and kids[1].children[0].value is not None:
            source = kids[1].children[0]
        if source is None or source.value is None:
            self.app_dropped(node)
            return []
        prefix = ""
        if "mountpoint" in node.attrs:
            prefix = node.attrs["mountpoint"] + "="
        elif "domain" in node.attrs:
            prefix = node.attrs["domain"] + "|="
        value = prefix + source.value
        note = f"<app> becomes mount = {value}"
        return [self.directive(node, (source.vstart, source.vend), "mount", value, note), app]

    def app_dropped(self, node: _Node) -> None:
        """An ``<app>`` whose target uWSGI finds neither as its only child nor as the first
        child of its second node (the one-line ``<app><script>f</script></app>``)."""
        target = "FILE"
        for child in node.children:
            first = child.children[0] if child.kind == "element" and child.children else child
            if first.kind in ("text", "cdata") and (first.value or "").strip():
                target = _shown((first.value or "").strip())
                break
        if "mountpoint" in node.attrs:
            fix = f"<mount>{_shown(node.attrs['mountpoint'])}={target}</mount>"
        elif "domain" in node.attrs:
            fix = f"<mount>{_shown(node.attrs['domain'])}|={target}</mount>"
        else:
            fix = f"<mount>/={target}</mount>"
        self.report(
            APP_DROPPED,
            f"uWSGI drops this <app> whole and mounts nothing; write {fix}",
            node.start,
            node.end,
            "uWSGI's XML reader takes the target of <app> from its text alone, or from an "
            "element after blank text (the multi-line form, <script> on its own line), and "
            "finds neither here.",
        )


def _content(node: _Node) -> bool:
    """A child node whose content uWSGI would lose: not a comment, not blank text."""
    if node.kind in ("comment", "pi"):
        return False
    if node.kind == "text":
        return bool((node.value or "").strip())
    return True


def _label(node: _Node) -> str:
    if node.kind == "element":
        return f"<{node.name}>"
    if node.kind == "cdata":
        return "a CDATA section"
    if node.kind == "text":
        return f"`{_shown((node.value or '').strip())}`"
    return "a comment" if node.kind == "comment" else "a processing instruction"


def _shown(text: str, limit: int = 40) -> str:
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse(
    exp: Expanded, openers: frozenset[str], section: str = "uwsgi", *, explicit: bool = False
) -> ConfigFile:
    """The ``<uwsgi>`` block uWSGI reads for ``section``, and other ``<uwsgi id>`` blocks;
    with ``explicit``, ``section`` was named (``FILE:uwsgi`` filters by the id ``uwsgi``)."""
    cfg = ConfigFile(path=exp.path, format=Format.XML)
    if "\r\n" in exp.source:
        cfg.newline = "\r\n"
    if section == "":
        cfg.problems.append(
            Problem("UW001", "invalid xml id: an empty id makes uWSGI exit", exp.span(0, 0))
        )
        return cfg
    builder = _Builder(exp, cfg)
    builder.run()
    root = builder.root
    if root is None:
        return cfg
    want = None if section == "uwsgi" and not explicit else section
    chosen = _choose(root, want)
    if chosen is None:
        if not builder.failed:
            cfg.problems.append(
                Problem(
                    "UW001",
                    "invalid xml root element, <uwsgi> expected: the root or one of its direct "
                    f"children must be <uwsgi>{'' if want is None else f' with id {want!r}'}",
                    exp.span(root.start, root.tag_end),
                )
            )
        return cfg
    cfg.sections.append(_section(exp, chosen, section, want, cfg.problems, openers))
    if root is not chosen:
        _other_sections(exp, cfg, root, openers)
    return cfg


def _section(
    exp: Expanded,
    chosen: _Node,
    name: str,
    want: str | None,
    problems: list[Problem] | None,
    openers: frozenset[str],
) -> Section:
    header: Span = exp.span(chosen.start, chosen.tag_end)
    directives = _Reader(exp, name, problems).options(chosen, want)
    return section_of(name, header, directives, openers)


def _other_sections(exp: Expanded, cfg: ConfigFile, root: _Node, openers: frozenset[str]) -> None:
    """Sections for the ids of the other ``<uwsgi id>`` children of the root."""
    seen = {sec.name for sec in cfg.sections}
    for node in root.children:
        xml_id = node.attrs.get("id") if node.kind == "element" and node.name == "uwsgi" else None
        if xml_id is None or xml_id in seen or xml_id in ("", "uwsgi"):
            continue
        seen.add(xml_id)
        chosen = _choose(root, xml_id)
        if chosen is not None:
            sec = section_of(
                xml_id,
                exp.span(chosen.start, chosen.tag_end),
                _Reader(exp, xml_id, None).options(chosen, xml_id),
                openers,
            )
            cfg.sections.append(sec)
