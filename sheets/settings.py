"""Settings for the Sheets sync, read once from the environment (and an optional .env)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"


@dataclass(frozen=True, slots=True)
class SheetsSettings:
    credentials: Path | None  # GOOGLE_APPLICATION_CREDENTIALS: a service-account key file
    api_url: str | None  # SHEETS_API_URL: replaces https://sheets.googleapis.com (emulators)
    quota_per_minute: int = 60  # SHEETS_QUOTA_PER_MINUTE: requests per minute per user

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SheetsSettings:
        key = (env.get("GOOGLE_APPLICATION_CREDENTIALS") or "").strip()
        api_url = (env.get("SHEETS_API_URL") or "").strip().rstrip("/") or None
        if api_url is not None and not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"SHEETS_API_URL must be an http(s) URL, not {api_url[:60]!r}.")
        quota = (env.get("SHEETS_QUOTA_PER_MINUTE") or "60").strip()
        if not quota.isdigit() or not 1 <= int(quota) <= 10_000:
            raise ConfigError(
                f"SHEETS_QUOTA_PER_MINUTE must be a whole number of requests, not {quota[:20]!r}."
            )
        return cls(
            credentials=Path(key) if key else None, api_url=api_url, quota_per_minute=int(quota)
        )

    def require_credentials(self) -> Path:
        if self.credentials is None:
            raise ConfigError(
                "GOOGLE_APPLICATION_CREDENTIALS is not set: point it at the service-account key "
                "file (docs/sheets.md), or sync a local .csv file instead."
            )
        if not self.credentials.is_file():
            raise ConfigError(f"GOOGLE_APPLICATION_CREDENTIALS: no file at {self.credentials}.")
        return self.credentials
