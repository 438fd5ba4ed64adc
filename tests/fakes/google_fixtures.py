"""Fixtures (registered suite-wide): the fake Google on loopback, a throwaway service-account key,
the settings that point real clients at them, and a client that records its backoff sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sheets.client import ResilientHTTPClient, make_client
from sheets.settings import SheetsSettings
from tests.fakes.google_api import (
    FakeGoogle,
    Value,
    Worksheet,
    running_fake_google,
    write_service_account_key,
)

CLIENT_EMAIL = "ctr-sync@test-project.iam.gserviceaccount.com"
KEY = "1TestSpreadsheetKey_abcdefghij"
HEADER: list[Value] = ["Date", "Campaign", "Impressions", "Clicks", "Cost"]


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def google(rsa_key: rsa.RSAPrivateKey) -> Iterator[FakeGoogle]:
    public = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with running_fake_google(public, CLIENT_EMAIL) as fake:
        yield fake


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey, google: FakeGoogle) -> Path:
    """A service-account key shaped like Google's, whose token_uri points at the fake."""
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return write_service_account_key(
        tmp_path / "service-account.json", pem, CLIENT_EMAIL, google.base_url
    )


@pytest.fixture
def env(key_file: Path, google: FakeGoogle) -> dict[str, str]:
    """The documented settings that point the real clients at the fake."""
    return {
        "GOOGLE_APPLICATION_CREDENTIALS": str(key_file),
        "SHEETS_API_URL": google.base_url.rstrip("/"),
        "SHEETS_QUOTA_PER_MINUTE": "6000",
    }


class Sleeps(list[float]):
    """Records backoff waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(env: dict[str, str], sleeps: Sleeps) -> ResilientHTTPClient:
    http, email = make_client(SheetsSettings.from_env(env), sleep=sleeps)
    assert email == CLIENT_EMAIL
    return http


def campaign_sheet(rows: list[list[Value]], title: str = "Daily", sheet_id: int = 0) -> Worksheet:
    return Worksheet.of(
        title, sheet_id, [HEADER, *rows], row_count=len(rows) + 1, column_count=len(HEADER)
    )
