"""Settings for the Sheets sync, read once from the environment (and an optional .env)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.config import EnvReader
from core.errors import ConfigError

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"


@dataclass(frozen=True, slots=True)
class SheetsSettings:
    credentials: Path | None  # GOOGLE_APPLICATION_CREDENTIALS: a service-account key file
    api_url: str | None  # SHEETS_API_URL: replaces https://sheets.googleapis.com (emulators)
    quota_per_minute: int = 60  # SHEETS_QUOTA_PER_MINUTE: requests per minute per user

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SheetsSettings:
        reader = EnvReader(env)
        settings = cls.read(reader)
        reader.check("See `ctr-bot docs sheets`.")
        return settings

    @classmethod
    def read(cls, reader: EnvReader) -> SheetsSettings:
        """Read through ``reader``, which collects problems for its caller to report."""
        key = reader.text("GOOGLE_APPLICATION_CREDENTIALS")
        api_url = reader.url("SHEETS_API_URL", None)
        quota = reader.number("SHEETS_QUOTA_PER_MINUTE", int, 60, 1, 10_000)
        return cls(
            credentials=Path(key) if key else None,
            api_url=api_url.rstrip("/") if api_url else None,
            quota_per_minute=quota,
        )

    def require_credentials(self) -> Path:
        if self.credentials is None:
            raise ConfigError(
                "GOOGLE_APPLICATION_CREDENTIALS is not set: point it at the service-account key "
                "file (`ctr-bot docs sheets`), or sync a local .csv file instead."
            )
        if not self.credentials.is_file():
            raise ConfigError(f"GOOGLE_APPLICATION_CREDENTIALS: no file at {self.credentials}.")
        return self.credentials
