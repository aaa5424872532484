"""IMDb list pages (/list/ls…/) → ListPage.

Layouts, in order of preference: Next.js __NEXT_DATA__, JSON-LD ItemList, legacy `.lister-item` HTML
(and the current React DOM `li.ipc-metadata-list-summary-item` when nothing else is there). The real site
server-renders the first 250 items only; the rest comes from IMDb's GraphQL API (parsing/imdb_graphql.py),
continuing from `end_cursor`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsel import Selector

from cinegraph_scrapy.items import ListEntry
from cinegraph_scrapy.parsing.blocks import NoDataError
from cinegraph_scrapy.parsing.nextdata import as_bytes, ld_json_objects, next_data
from cinegraph_scrapy.parsing.text import as_dict, as_list, dig, int_or_none, text_of, tt_id, year_of

PAGE_SIZE = 250


@dataclass
class ListPage:
    layout: str  # next_data | json_ld | legacy_html | react_html
    name: str | None = None
    total: int | None = None  # films in the whole list, when the page says
    has_next: bool | None = None  # None: the page does not say
    end_cursor: str | None = None  # where IMDb's GraphQL API continues the list
    entries: list[ListEntry] = field(default_factory=list)


class PrivateListError(NoDataError):
    """IMDb shows the list as private: there is nothing to import."""


def parse_list_page(body: str | bytes, page: int = 1) -> ListPage:
    """Parse one list page. Raises NoDataError when no known layout yields any film."""
    raw = as_bytes(body)
    data = next_data(raw)
    if data is not None:
        if dig(data, "props", "pageProps", "showPrivateListMessaging") is True:
            raise PrivateListError("the list is private (IMDb shows showPrivateListMessaging); nothing to import")
        parsed = _from_next_data(data, page)
        if parsed is not None and (parsed.entries or parsed.total == 0):
            return parsed
    parsed = _from_json_ld(raw, page)
    if parsed is not None and parsed.entries:
        return parsed
    parsed = _from_html(raw, page)
    if parsed is not None and parsed.entries:
        return parsed
    raise NoDataError("no films found on the list page (no __NEXT_DATA__ list, JSON-LD ItemList or list HTML)")


def _offset(page: int) -> int:
    return (max(page, 1) - 1) * PAGE_SIZE


def list_edge_entry(edge: dict, title_key: str, fallback_position: int) -> ListEntry:
    """One edge of `titleListItemSearch`: `node` holds the position and the author's note; the title is
    under `listItem` on list pages and under `title` in GraphQL answers."""
    title = as_dict(edge.get(title_key) or dig(edge, "node", title_key))
    node = as_dict(edge.get("node"))
    type_id = dig(title, "titleType", "id")
    return ListEntry(
        imdb_id=tt_id(title.get("id")),
        title=text_of(title.get("titleText")),
        original_title=text_of(title.get("originalTitleText")),
        year=year_of(title.get("releaseYear")) or year_of(title.get("releaseDate")),
        position=int_or_none(node.get("absolutePosition")) or fallback_position,
        notes=text_of(node.get("description")),
        title_type=type_id if isinstance(type_id, str) and type_id else None,
    )


def search_page_info(search: dict) -> tuple[bool | None, str | None]:
    """(hasNextPage, endCursor) of a `titleListItemSearch` connection."""
    cursor = dig(search, "pageInfo", "endCursor")
    return _bool_or_none(dig(search, "pageInfo", "hasNextPage")), cursor if isinstance(cursor, str) and cursor else None


def _from_next_data(data: dict, page: int) -> ListPage | None:
    props = dig(data, "props", "pageProps") or {}
    lst = dig(props, "mainColumnData", "list")
    search = dig(lst, "titleListItemSearch")
    if isinstance(search, dict):
        edges = as_list(search.get("edges"))
        entries = [list_edge_entry(edge, "listItem", _offset(page) + index + 1)
                   for index, edge in enumerate(edges) if isinstance(edge, dict)]
        has_next, cursor = search_page_info(search)
        return ListPage(
            layout="next_data",
            name=text_of(dig(lst, "name", "originalText")) or text_of(dig(lst, "name")),
            total=int_or_none(search.get("total")),
            has_next=has_next,
            end_cursor=cursor,
            entries=entries,
        )
    items = props.get("items") if isinstance(props, dict) else None
    if isinstance(items, list):  # an older Next.js shape: pageProps.items[]
        entries = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            title = as_dict(item.get("listItem") or item.get("title") or item)
            entries.append(
                ListEntry(
                    imdb_id=tt_id(title.get("id") or title.get("const") or item.get("id")),
                    title=text_of(title.get("titleText")) or text_of(title.get("name")),
                    original_title=text_of(title.get("originalTitleText")),
                    year=year_of(title.get("releaseYear")) or year_of(title.get("year")),
                    position=int_or_none(item.get("absolutePosition") or item.get("position"))
                    or _offset(page) + index + 1,
                    notes=text_of(item.get("description")),
                )
            )
        return ListPage(
            layout="next_data",
            name=text_of(props.get("name")),
            total=int_or_none(props.get("total")),
            entries=entries,
        )
    return None


def _bool_or_none(value) -> bool | None:
    return value if isinstance(value, bool) else None


def _from_json_ld(raw: bytes, page: int) -> ListPage | None:
    for obj in ld_json_objects(raw):
        if obj.get("@type") != "ItemList":
            continue
        elements = as_list(obj.get("itemListElement"))
        entries = []
        for index, element in enumerate(elements):
            if not isinstance(element, dict):
                continue
            item = element.get("item") if isinstance(element.get("item"), dict) else element
            entries.append(
                ListEntry(
                    imdb_id=tt_id(item.get("url") or item.get("@id") or element.get("url")),
                    title=text_of(item.get("name")) or text_of(item.get("alternateName")),
                    original_title=text_of(item.get("alternateName")) if item.get("name") else None,
                    year=year_of(item.get("datePublished")),
                    position=int_or_none(element.get("position")) or _offset(page) + index + 1,
                    notes=text_of(item.get("description")) or text_of(element.get("description")),
                )
            )
        return ListPage(
            layout="json_ld",
            name=text_of(obj.get("name")),
            total=int_or_none(obj.get("numberOfItems")),
            entries=entries,
        )
    return None


_INDEX = re.compile(r"(\d[\d,]*)")
_RANGE_TOTAL = re.compile(r"of\s+([\d,.]+)")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def _from_html(raw: bytes, page: int) -> ListPage | None:
    sel = Selector(text=raw.decode("utf-8", "replace"))
    entries: list[ListEntry] = []
    layout = "legacy_html"
    for index, div in enumerate(sel.css("div.lister-item")):
        link = div.css("h3.lister-item-header a[href*='/title/tt']")
        index_text = div.css("span.lister-item-index::text").get()
        notes = div.css(".list-description ::text").getall()
        entries.append(
            ListEntry(
                imdb_id=tt_id(link.attrib.get("href") if link else None),
                title=_clean(link.css("::text").get()) if link else None,
                year=year_of(div.css("span.lister-item-year::text").get()),
                position=int_or_none(index_text) or _offset(page) + index + 1,
                notes=_clean(" ".join(notes)),
            )
        )
    if not entries:
        layout = "react_html"
        for index, li in enumerate(sel.css("li.ipc-metadata-list-summary-item")):
            link = li.css("a[href*='/title/tt']")
            heading = _clean(" ".join(li.css("h3 ::text").getall()))
            position = None
            if heading:
                m = re.match(r"^(\d+)\.\s*(.*)$", heading)
                if m:
                    position, heading = int(m.group(1)), m.group(2)
            entries.append(
                ListEntry(
                    imdb_id=tt_id(link.attrib.get("href") if link else None),
                    title=heading,
                    year=year_of(li.css(".dli-title-metadata-item::text").get()),
                    position=position or _offset(page) + index + 1,
                    notes=_clean(" ".join(li.css(".dli-plot-container ::text, .list-description ::text").getall())),
                )
            )
    if not entries:
        return None
    total = None
    desc = " ".join(sel.css(".desc ::text, .lister-total-num-results ::text").getall())
    m = _RANGE_TOTAL.search(desc)
    if m:
        total = int_or_none(m.group(1))
    has_next = bool(sel.css("a.lister-page-next")) if layout == "legacy_html" else None
    name = _clean(sel.css("h1.header::text, h1::text").get())
    return ListPage(layout=layout, name=name, total=total, has_next=has_next, entries=entries)
