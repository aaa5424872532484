"""Unchanged pages: each page's fingerprint (a digest of what it says), and a page whose fingerprint is the
stored one only marks its rows seen (last_seen_at), writing nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update

from cinegraph_scrapy.db.models import CanonicalSource, FestivalCeremony, FestivalNomination, FestivalOrganization
from cinegraph_scrapy.db.models import Movie, PageFingerprint
from cinegraph_scrapy.db.sqlkit import WritesOn, chunks


class SeenWrites(WritesOn):
    def stored_fingerprint(self, list_id: int, page: int) -> str | None:
        stmt = self.built("fingerprint_read", lambda: select(PageFingerprint.fingerprint).where(
            PageFingerprint.list_id == bindparam("f_list"), PageFingerprint.page == bindparam("f_page")))
        return self.conn.execute(stmt, {"f_list": list_id, "f_page": page}).scalar()

    def stored_fingerprints(self, list_ids: Sequence[int]) -> dict[tuple[int, int], str]:
        """(list id, page) → stored fingerprint, for many configs in one read."""
        stmt = select(PageFingerprint.list_id, PageFingerprint.page, PageFingerprint.fingerprint)
        return {(list_id, page): value for list_id, page, value in
                self.select_in(stmt, PageFingerprint.list_id, sorted(set(list_ids)))}

    def _fingerprint_save(self):
        stmt = self.insert(PageFingerprint).values(list_id=bindparam("f_list"), page=bindparam("f_page"),
                                                   fingerprint=bindparam("f_value"), stored_at=bindparam("f_now"))
        return stmt.on_conflict_do_update(index_elements=[PageFingerprint.list_id, PageFingerprint.page],
                                          set_={"fingerprint": stmt.excluded.fingerprint,
                                                "stored_at": stmt.excluded.stored_at})

    def save_fingerprint(self, list_id: int, page: int, fingerprint: str, now: datetime) -> None:
        self.conn.execute(self.built("fingerprint_save", self._fingerprint_save),
                          {"f_list": list_id, "f_page": page, "f_value": fingerprint, "f_now": now})

    def organization_id(self, slug: str) -> int | None:
        stmt = self.built("organization_by_slug", lambda: select(FestivalOrganization.id).where(
            FestivalOrganization.slug == bindparam("o_slug")))
        return self.conn.execute(stmt, {"o_slug": slug}).scalar()

    @staticmethod
    def _touch_statements():
        ceremony = select(FestivalCeremony.id, FestivalCeremony.last_seen_at).where(
            FestivalCeremony.organization_id == bindparam("t_org"), FestivalCeremony.year == bindparam("t_year"),
            FestivalCeremony.instance == bindparam("t_instance"))
        nominations = (update(FestivalNomination).where(
            FestivalNomination.ceremony_id == bindparam("t_ceremony"),
            FestivalNomination.last_seen_at >= bindparam("t_previous"))
            .values(last_seen_at=bindparam("t_now")).returning(FestivalNomination.movie_id))
        seen = update(FestivalCeremony).where(FestivalCeremony.id == bindparam("t_ceremony")).values(
            last_seen_at=bindparam("t_now"))
        return ceremony, nominations, seen

    def touch_edition(self, organization_id: int, year: int, instance: int, now: datetime) -> list[int] | None:
        """An unchanged edition page: its ceremony and the nominations its last write stored are seen now.
        Returns their films, or None when the ceremony is not stored."""
        ceremony, nominations, seen = self.built("touch_edition", self._touch_statements)
        found = self.conn.execute(ceremony, {"t_org": organization_id, "t_year": year, "t_instance": instance}).first()
        if found is None or found[1] is None:
            return None
        ceremony_id, previous = found
        touched = self.conn.execute(nominations, {"t_ceremony": ceremony_id, "t_previous": previous,
                                                  "t_now": now}).scalars().all()
        self.conn.execute(seen, {"t_ceremony": ceremony_id, "t_now": now})
        return [m for m in touched if m is not None]

    def touch_unchanged_edition(self, list_id: int, page: int, fingerprint: str, slug: str, year: int,
                                instance: int, now: datetime) -> list[int] | None:
        """An edition page whose fingerprint is the stored one: touch_edition. None when the fingerprint
        differs or the ceremony is not stored (the page is then written as usual)."""
        if self.stored_fingerprint(list_id, page) != fingerprint:
            return None
        org_id = self.organization_id(slug)
        return self.touch_edition(org_id, year, instance, now) if org_id is not None else None

    def touch_unchanged_list_page(self, list_id: int, page: int, fingerprint: str,
                                  imdb_ids: list[str | None], now: datetime) -> list[int] | None:
        """A list page whose fingerprint is the stored one: touch_list_entries. None when the fingerprint
        differs or an entry is missing (the page is then written as usual)."""
        if self.stored_fingerprint(list_id, page) != fingerprint:
            return None
        return self.touch_list_entries(list_id, imdb_ids, now)

    def touch_list_entries(self, list_id: int, imdb_ids: list[str | None], now: datetime) -> list[int] | None:
        """An unchanged list page: its entries are seen now. Returns their films; None when one is missing."""
        wanted = sorted({i for i in imdb_ids if i})
        movie_ids: list[int] = []
        for chunk in chunks(wanted):
            movie_ids.extend(self.conn.execute(update(CanonicalSource).where(
                CanonicalSource.list_id == list_id,
                CanonicalSource.movie_id.in_(select(Movie.id).where(Movie.imdb_id.in_(list(chunk)))))
                .values(last_seen_at=now).returning(CanonicalSource.movie_id)).scalars().all())
        return movie_ids if len(movie_ids) == len(wanted) else None
