"""Items 11 and 2 (form service part) of #20: the spool never holds a DOI token, its files are
mode 0600 in a 0700 directory, and erasing a person leaves none of their bytes in any file
of the state directory or in the hand-off files. Real service, real SMTP sink."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from compliance.subjects import email_key, phone_key
from intake.handoff import erase_submissions, export_pending
from tests.intake.conftest import PERSON, Service, Smtp, mail_link

OTHER = {**PERSON, "email": "kai.berg@andere.example", "first_name": "Kai", "last_name": "Berg",
         "phone": "+49 40 7654321", "company": "Andere KG"}


def _files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_token_in_the_spool_and_private_file_modes(start_service: Callable[..., Service],
                                                      smtp: Smtp, tmp_path: Path) -> None:
    service = start_service()
    assert service.post_signed(PERSON).status_code == 202
    link = mail_link(smtp.inbox.wait(1)[0])
    token = parse_qs(urlparse(link).query)["token"][0].encode()
    state_dir = service.state.parent
    out = tmp_path / "inbox" / "forms"
    [handoff] = export_pending(service.state, out)

    for path in _files(state_dir):
        assert token not in path.read_bytes(), path
        assert _mode(path) == 0o600, path
    assert _mode(state_dir) == 0o700
    assert (_mode(handoff), _mode(out)) == (0o600, 0o700)
    assert service.client.post("/doi/confirm", data={"token": token.decode()}).status_code == 200


def test_erasure_leaves_no_bytes_of_the_person(start_service: Callable[..., Service],
                                               smtp: Smtp, tmp_path: Path) -> None:
    service = start_service()
    assert service.post_signed(PERSON).status_code == 202
    assert service.post_signed(OTHER).status_code == 202
    smtp.inbox.wait(2)
    out = tmp_path / "inbox" / "forms"
    [handoff] = export_pending(service.state, out)
    moved = out / "done" / "2026-11-26" / handoff.name  # as the nightly run files it away
    moved.parent.mkdir(parents=True)
    handoff.replace(moved)
    assert service.post_signed({**PERSON, "message": "noch eine Frage"}).status_code == 202
    [second] = export_pending(service.state, out)
    smtp.inbox.wait(3)

    erased = erase_submissions(service.state, email_key(PERSON["email"]),
                               phone_key(PERSON["phone"]))
    assert erased == 2

    needles = [PERSON["email"].encode(), PERSON["email"].lower().encode(),
               PERSON["phone"].encode(), PERSON["last_name"].encode(),
               PERSON["first_name"].encode(), PERSON["company"].encode()]
    files = _files(service.state.parent, out)
    assert files
    for path in files:
        content = path.read_bytes()
        for needle in needles:
            assert needle not in content, (path, needle)
    assert b"Berg" in moved.read_bytes()  # the other person stays
    assert not second.exists()  # held only the erased person: removed
    assert _mode(moved) == 0o600
    assert service.health()["submissions"] == 1
