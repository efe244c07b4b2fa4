"""One handle on what every replica on one store shares: API keys, moderator sessions, page
records (checks), secrets and the change counters the replicas follow."""

from __future__ import annotations

from service.config import Settings
from service.store import counters
from service.store.apikeys import ApiKeys
from service.store.bank import Store
from service.store.instance_secrets import shared_secret
from service.store.records import PageRecords
from service.store.websessions import WebSessions

CHECKS = "check"  # the page-record kind of a check's result


class SharedState:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.keys = ApiKeys(store.sessions)
        self.sessions = WebSessions(store.sessions)
        web = settings.web
        self.checks = PageRecords(
            store.sessions, CHECKS, ttl_s=web.check_ttl_s, max_items=web.max_checks
        )

    @classmethod
    def open(cls, settings: Settings) -> SharedState:
        """Open the store (creating what is missing)."""
        if settings.db_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(settings.db_url)
        try:
            store.create_all()
        except BaseException:
            store.close()
            raise
        return cls(store, settings)

    def counters(self) -> dict[str, int]:
        with self.store.sessions() as s:
            return counters.read_all(s)

    def secret(self, name: str) -> str:
        return shared_secret(self.store.sessions, name)

    def close(self) -> None:
        self.store.close()
