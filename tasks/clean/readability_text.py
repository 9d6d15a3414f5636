"""The readability-lxml candidate: the page's main block, rendered as one line per paragraph."""

from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html
from readability import Document
from readability.readability import REGEXES, is_video_url

log = logging.getLogger(__name__)

# Elements that start a new line; table cells stay on their row's line, separated by spaces.
_BLOCKS = frozenset(
    (
        *("p", "div", "li", "br", "tr", "hr", "blockquote", "pre", "table", "figure", "figcaption"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dd", "dt"),
        *("section", "article", "header", "footer", "main", "aside", "address"),
    )
)
_CELLS = frozenset(("td", "th"))
_NEVER_TEXT = ("script", "style", "noscript", "svg", "template", "iframe", "object", "embed", "link", "meta")
# A whitespace run that readability's ``clean`` may shorten: two or more characters, or one that is
# not a plain space.
_SHORTENED_RUN = re.compile(r"\s{2,}|[^\S ]")
_strip = str.strip

# readability's ``divToPElementsRe`` (``<(blockquote|dl|div|img|ol|p|pre|table|ul)``, any case)
# searched in a div's serialised children is true when a descendant's tag starts so.
_BLOCK_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")  # "pre" starts with "p"
# readability's two structural exceptions to removing an "unlikely" element, compiled once
# (``elem.xpath`` compiles its expression anew on every call).
_IN_CODE = lxml.etree.XPath("ancestor-or-self::pre | ancestor-or-self::code")
_HOLDS_ARTICLE = lxml.etree.XPath(
    "descendant-or-self::main | descendant-or-self::article | descendant-or-self::math"
)
# Every element below the root with a class or an id attribute, in document order.
_CLASSED_OR_IDENTIFIED = lxml.etree.XPath(".//*[@class or @id]")
# readability's unlikely-candidate pattern (lower-case words), and the same without IGNORECASE for
# an ASCII string lowered first: ASCII letters match it ignoring case exactly when their lower
# case matches (only non-ASCII letters such as the Kelvin sign fold further; those keep the original).
_UNLIKELY = REGEXES["unlikelyCandidatesRe"]
_UNLIKELY_LOWER = re.compile(_UNLIKELY.pattern, _UNLIKELY.flags & ~re.IGNORECASE)
_IN_ARTICLE = lxml.etree.XPath("ancestor::main | ancestor::article")
_INLINE_TAGS = frozenset(
    ("a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u")
)


def _has_block_descendant(element: lxml.html.HtmlElement) -> bool:
    """True when a descendant's tag starts like a block element's (readability's first div test)."""
    for descendant in element.iterdescendants():
        tag = descendant.tag
        if isinstance(tag, str) and tag.lower().startswith(_BLOCK_PREFIXES):
            return True
    return False


def clean_length(text: str) -> int:
    """``len(readability.readability.clean(text))``, counted line by line instead of three rewrites.

    ``clean`` strips the text, turns a whitespace run of 255 or more characters, or one holding a
    newline, into one character, and (``\\t|[ \\t]{2,}``) each tab before a run's first space into
    one space and the spaces and tabs from that space on into one more. So each line's stripped
    text counts as it is, plus one character for the run between it and the next line with text,
    unless it holds two spaces, a space and a tab, or (255 characters or more and a character that
    is not printable) maybe a long run: those lines are counted run by run. Its three regular
    expression substitutions over every candidate's whole text were a third of readability's time.
    """
    length = -1
    for line in map(_strip, text.split("\n")):
        if line:
            if "  " in line or " \t" in line or (len(line) >= 255 and not line.isprintable()):
                length += 1 + _runs_clean_length(line)
            else:
                length += 1 + len(line)
    return max(length, 0)


def _runs_clean_length(text: str) -> int:
    """``len(clean(text))`` counted from the text's whitespace runs (any text, one pass)."""
    stripped = text.strip()
    length = len(stripped)
    for match in _SHORTENED_RUN.finditer(stripped):
        run = match.group()
        if len(run) >= 255 or "\n" in run:
            length -= len(run) - 1
        else:
            length -= len(run) - _cleaned_run_length(run)
    return length


def _cleaned_run_length(run: str) -> int:
    """Characters left of a whitespace run without a newline after ``clean``'s tab and space rule."""
    count = 0
    after_space = False  # inside a stretch of spaces and tabs that began with a space
    for char in run:
        if char == " ":
            count += not after_space
            after_space = True
        elif char == "\t":
            count += not after_space
        else:
            count += 1
            after_space = False
    return count


class PrunedDocument(Document):  # type: ignore[misc]
    """readability's ``Document`` for a tree that is already parsed and pruned.

    readability's own parse step runs lxml's ``Cleaner`` (scripts, styles, comments, JavaScript
    attributes, ``<link>``) and rewrites every link against the base URL. The tree it gets here has
    lost its scripts, styles, comments and embeds already, and links are never read, so that work
    (about a third of the HTML path's time) is skipped; the parse step's removal of hidden
    elements is kept. Pinned to readability-lxml < 1, whose ``_parse`` this replaces.
    """

    def _parse(self, input: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        self.encoding = "utf-8"
        for element in input.xpath("//*[@hidden]"):
            element.drop_tree()
        for element in input.xpath("//*[@style]"):
            if REGEXES["displayNoneRe"].search(element.get("style", "")):
                element.drop_tree()
        return input

    def get_link_density(self, elem: lxml.html.HtmlElement) -> float:
        """readability's link density (text in links over all text), with ``clean_length``."""
        link_length = sum(clean_length(link.text_content() or "") for link in elem.findall(".//a"))
        return link_length / max(clean_length(elem.text_content() or ""), 1)

    def score_paragraphs(self) -> dict[lxml.html.HtmlElement, dict[str, object]]:
        """readability's own scores, from each paragraph's cleaned length and comma count (``clean``
        changes only whitespace) instead of its cleaned text, and without formatting a debug line
        (with a description of the element) for every candidate whatever the log level."""
        candidates: dict[lxml.html.HtmlElement, dict[str, object]] = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent_node = elem.getparent()
            if parent_node is None:
                continue
            grand_parent_node = parent_node.getparent()
            inner_text = elem.text_content() or ""
            inner_text_len = clean_length(inner_text)
            if inner_text_len < self.min_text_length:
                continue
            if parent_node not in candidates:
                candidates[parent_node] = self.score_node(parent_node)
                ordered.append(parent_node)
            if grand_parent_node is not None and grand_parent_node not in candidates:
                candidates[grand_parent_node] = self.score_node(grand_parent_node)
                ordered.append(grand_parent_node)
            content_score: float = 1
            content_score += inner_text.count(",") + 1
            content_score += min((inner_text_len / 100), 3)
            candidates[parent_node]["content_score"] += content_score  # type: ignore[operator]
            if grand_parent_node is not None:
                candidates[grand_parent_node]["content_score"] += content_score / 2.0  # type: ignore[operator]
        # The tree does not change while scoring: each link's length is counted once, however many
        # nested candidates hold it (its proxy stays alive in the dict, so lxml does not rebuild it).
        link_lengths: dict[lxml.html.HtmlElement, int] = {}
        for elem in ordered:
            link_length = 0
            for link in elem.iterdescendants("a"):
                length = link_lengths.get(link)
                if length is None:
                    length = link_lengths[link] = clean_length(link.text_content() or "")
                link_length += length
            density = link_length / max(clean_length(elem.text_content() or ""), 1)
            candidates[elem]["content_score"] *= 1 - density  # type: ignore[operator]
        return candidates

    def remove_unlikely_candidates(self) -> None:
        """readability's own, asked only of elements with a class or an id (the others' "class id"
        is one space, which it skips), with an ASCII "class id" lowered and searched without
        ``re.IGNORECASE`` (four times faster, same answer) and its XPath tests compiled once."""
        for elem in _CLASSED_OR_IDENTIFIED(self.html):
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if len(s) < 2:
                continue
            unlikely = _UNLIKELY_LOWER.search(s.lower()) if s.isascii() else _UNLIKELY.search(s)
            if (
                unlikely
                and (not REGEXES["okMaybeItsACandidateRe"].search(s))
                and elem.tag not in ["html", "body"]
                and not _IN_CODE(elem)
                and not _HOLDS_ARTICLE(elem)
            ):
                elem.drop_tree()

    def sanitize(
        self,
        node: lxml.html.HtmlElement,
        candidates: dict[lxml.html.HtmlElement, dict[str, object]],
        keep_all_images: bool = False,
    ) -> str:
        """readability's own, without formatting a debug line (a description of the element and a
        whitespace rewrite of its whole text) for every block it keeps or drops whatever the log
        level, with each block's text taken once for its commas and its length, and lengths counted
        by ``clean_length``."""
        for header in self.tags(node, "h1", "h2", "h3", "h4", "h5", "h6"):
            if self.class_weight(header) < 0 or self.get_link_density(header) > 0.33:
                header.drop_tree()
        for elem in self.tags(node, "p"):
            if REGEXES["callToActionRe"].search(elem.text_content()) and self.get_link_density(elem) > 0.2:
                elem.drop_tree()
        for elem in self.tags(node, "form", "textarea"):
            elem.drop_tree()
        for elem in self.tags(node, "iframe"):
            if "src" in elem.attrib and is_video_url(elem.attrib["src"]):
                elem.attrib.pop("srcdoc", None)
                elem.text = "VIDEO"
            else:
                elem.drop_tree()
        allowed = self.get_preserved_elements(node)
        for el in self.reverse_tags(node, "table", "ul", "div", "aside", "header", "footer", "section"):
            if el in allowed:
                continue
            weight = self.class_weight(el)
            content_score = candidates[el]["content_score"] if el in candidates else 0
            if weight + content_score < 0:
                el.drop_tree()
                continue
            text = el.text_content()
            if text.count(",") < 10 and self._unwanted_block(el, text, weight, allowed, keep_all_images):
                el.drop_tree()
        self.html = node
        return str(self.get_clean_html())

    def _unwanted_block(
        self,
        el: lxml.html.HtmlElement,
        text: str,
        weight: int,
        allowed: dict[lxml.html.HtmlElement, bool],
        keep_all_images: bool,
    ) -> bool:
        """readability's tests (in ``sanitize``) of a block with fewer than ten commas, in its order."""
        counts = {kind: len(el.findall(".//" + kind)) for kind in ("p", "img", "li", "a", "embed", "input")}
        counts["li"] -= 100
        counts["input"] -= len(el.findall('.//input[@type="hidden"]'))
        content_length = clean_length(text or "")
        link_density = self.get_link_density(el)
        tag = el.tag
        if keep_all_images and tag == "div" and counts["img"] >= 1:
            return False
        if (
            (counts["p"] and counts["img"] > 1 + counts["p"] * 1.3)
            or (counts["li"] > counts["p"] and tag not in ("ol", "ul"))
            or counts["input"] > (counts["p"] / 3)
            or (content_length < self.min_text_length and (counts["img"] == 0 or counts["img"] > 2))
        ):
            return True
        if (
            (weight < 25 and link_density > (0.25 if tag in ("ul", "section") and _IN_ARTICLE(el) else 0.2))
            or (weight >= 25 and link_density > 0.5)
            or (counts["embed"] == 1 and content_length < 75)
            or counts["embed"] > 1
        ):
            return True
        if content_length:
            return False
        # No text: kept when the nearest siblings with text, one on each side, hold over 1,000 characters.
        siblings = []
        for following in (False, True):
            for sib in el.itersiblings(preceding=following):
                sib_content_length = clean_length(sib.text_content() or "")
                if sib_content_length:
                    siblings.append(sib_content_length)
                    break
        if siblings and sum(siblings) > 1000:
            for desnode in self.tags(el, "table", "ul", "div", "section"):
                allowed[desnode] = True
            return False
        return True

    def transform_misused_divs_into_paragraphs(self) -> None:
        """readability's own, with its first test (a block element among a div's descendants) asked of
        the tree, stopping at the first one, instead of serialising every div's whole subtree."""
        for elem in self.tags(self.html, "div"):
            if not _has_block_descendant(elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = elem.makeelement("p", {})
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE_TAGS or REGEXES["divToPElementsRe"].search(
                    lxml.etree.tounicode(child, method="html")
                ):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = elem.makeelement("p", {})
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = elem.makeelement("p", {})
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()


def readability_paragraphs(tree: lxml.html.HtmlElement) -> list[str]:
    """Paragraphs of the block readability picks as the article (the tree is modified)."""
    # Scripts, styles and inline graphics are never article text; dropping them here is what
    # lets PrunedDocument skip readability's own cleaner.
    lxml.etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    try:
        summary = PrunedDocument(tree).summary(html_partial=True)
        block = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception as exc:  # one candidate of two: the page still has trafilatura's
        log.debug("readability failed: %s", type(exc).__name__)
        return []
    for element in block.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _CELLS:
            element.tail = " " + (element.tail or "")
    lines = (" ".join(line.split()) for line in block.text_content().split("\n"))
    return [line for line in lines if line]
