"""The DOI mail and the confirmation pages, rendered from templates with escaped values.

The mail goes to any address anyone types in, so it must not carry anyone's message: it holds
no submitted text or URL, only our own texts, the link, and a salutation with the name when
the name looks like a name (letters, at most four words) — else a salutation without it. On
the pages (shown to whoever holds the link) form values are escaped with `html.escape`.
`string.Template.safe_substitute` never evaluates anything in the values.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from importlib import resources
from string import Template
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict

from foundation.config import load_config
from intake.config import FormSpec


class LanguageTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    subject: str
    greeting: str
    """The salutation with `$name`; `greeting_without_name` when the name is not usable."""
    greeting_without_name: str
    no_consent_text: str
    button: str
    pages: dict[str, tuple[str, str]]


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int
    de: LanguageTexts
    en: LanguageTexts


def load_texts() -> Texts:
    return load_config("intake", "texts", Texts).value


def _template(name: str) -> Template:
    return Template(resources.files("intake").joinpath("templates", name)
                    .read_text(encoding="utf-8"))


def _when(value: str | None, language: str) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return moment.strftime("%d.%m.%Y %H:%M UTC" if language == "de" else "%Y-%m-%d %H:%M UTC")


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*\.?")
MAX_NAME_WORDS = 4
MAX_NAME_CHARS = 60


def salutation_name(record: dict[str, Any]) -> str | None:
    """First and last name if every word is letters (with ' or - inside, a trailing dot):
    no digits, slashes, @ or dots inside a word, so no URL, address or domain; else None."""
    words = " ".join(p for p in (record.get("first_name"), record.get("last_name")) if p).split()
    name = " ".join(words)
    if not words or len(words) > MAX_NAME_WORDS or len(name) > MAX_NAME_CHARS:
        return None
    return name if all(_NAME_WORD.fullmatch(w) for w in words) else None


def mail_values(form: FormSpec, record: dict[str, Any], link: str, expires_at: str,
                texts: LanguageTexts) -> dict[str, str]:
    name = salutation_name(record)
    return {
        "greeting": Template(texts.greeting).safe_substitute(name=name) if name
        else texts.greeting_without_name,
        "submitted_at": _when(record.get("submitted_at"), form.language),
        "consent_text": record["consent"].get("text") or texts.no_consent_text,
        "link": link,
        "expires_at": _when(expires_at, form.language),
        "controller": form.controller.name,
        "controller_address": form.controller.address,
        "controller_contact": form.controller.contact,
    }


def recipient(email: str) -> str:
    """The address as plain SMTP can carry it: an international domain in its ASCII (IDNA)
    form. A non-ASCII local part stays as is and needs a server with SMTPUTF8."""
    try:
        return validate_email(email, check_deliverability=False).ascii_email or email
    except EmailNotValidError:
        return email


def doi_mail(form: FormSpec, record: dict[str, Any], link: str, expires_at: str,
             sender: str, texts: Texts) -> EmailMessage:
    """The confirmation request: text and HTML part, nothing but what spec 7.11 allows."""
    lang: LanguageTexts = getattr(texts, form.language)
    values = mail_values(form, record, link, expires_at, lang)
    subject = Template(lang.subject).safe_substitute(controller=form.controller.name)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient(record["email"])
    message["Message-ID"] = make_msgid(domain="leadpipe.invalid")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_template(f"doi_{form.language}.txt").safe_substitute(values))
    escaped = {k: html.escape(v, quote=True) for k, v in {**values, "subject": subject}.items()}
    message.add_alternative(_template(f"doi_{form.language}.html").safe_substitute(escaped),
                            subtype="html")
    return message


PAGE = Template("""<!DOCTYPE html>
<html lang="$lang"><head><meta charset="utf-8">
<meta name="robots" content="noindex"><title>$title</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>$title</h1>
<p>$message</p>
$extra
</body></html>
""")


def page(form: FormSpec | None, texts: Texts, state: str, record: dict[str, Any] | None,
         token: str | None = None) -> str:
    """One of the plain pages: ask (with the button), confirmed, used, expired, unknown."""
    language = form.language if form else "de"
    lang: LanguageTexts = getattr(texts, language)
    title, message = lang.pages[state]
    record = record or {}
    name = " ".join(p for p in (record.get("first_name"), record.get("last_name")) if p)
    values = {
        "email": html.escape(record.get("email") or ""),
        "name": html.escape(name or record.get("email") or ""),
        "controller": html.escape(form.controller.name if form else ""),
    }
    extra = ""
    if state == "ask" and token is not None:
        consent = html.escape((record.get("consent") or {}).get("text") or lang.no_consent_text)
        extra = (f"<blockquote>{consent}</blockquote>\n"
                 '<form method="post" action="/doi/confirm">'
                 f'<input type="hidden" name="token" value="{html.escape(token, quote=True)}">'
                 f'<button type="submit">{html.escape(lang.button)}</button></form>')
    return PAGE.safe_substitute(lang=language, title=html.escape(title),
                                message=Template(html.escape(message)).safe_substitute(values),
                                extra=extra)
