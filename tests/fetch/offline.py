"""Tests of fetch and export never touch the network: sockets refuse, FanFicFare's offline
``test1.com`` site stands in for real archives, and the reader's own FanFicFare settings
are out of sight."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ficsift.fetch import FetchReport, FetchSettings, Shelf, fetch_urls
from ficsift.library import Library

OFFLINE = FetchSettings(user_config=False)


class NetworkBlocked(OSError):
    pass


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise NetworkBlocked("a test tried to use the network")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    # the reader's own FanFicFare settings (logins, is_adult) must not change a test
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    yield


@pytest.fixture
def shelf(tmp_path: Path) -> Shelf:
    return Shelf(tmp_path / "lib" / "fetched")


def fetch(library: Library, shelf: Shelf, *urls: str, adult: bool = False) -> FetchReport:
    settings = FetchSettings(adult=adult, user_config=False)
    return fetch_urls(library, shelf, urls, settings)


def sid(n: int | str) -> str:
    return f"http://test1.com?sid={n}"
