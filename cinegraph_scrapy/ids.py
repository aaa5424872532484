"""IMDb's id grammar, in one place: titles tt…, names nm…, lists ls…, events ev…, editions ee…, awards aw…,
nominations an…, companies co…. `*_ID` match a whole string; `FIND_*` find one inside a URL or text."""

from __future__ import annotations

import re

TITLE, NAME, LIST, EVENT = r"tt\d{7,}", r"nm\d{7,}", r"ls\d{6,}", r"ev\d{7}"
EDITION, AWARD, NOMINATION, COMPANY = r"ee\d{7,}", r"aw\d{7,}", r"an\d{7,}", r"co\d{7,}"

TITLE_ID, NAME_ID, LIST_ID, EVENT_ID = (re.compile(rf"^{p}$") for p in (TITLE, NAME, LIST, EVENT))
FIND_TITLE, FIND_NAME = re.compile(TITLE), re.compile(NAME)
