"""Danish first, English second: the page language, the interface strings and locale formats.

The language is ``?lang=da|en`` when given, else the browser's ``Accept-Language``, else Danish.
Interface strings are gettext messages served by Flask-Babel from the catalogues
``webapp/translations/{da,en}/LC_MESSAGES/messages.po``. The message ids are symbolic keys
(``area.name``, e.g. ``report.checked``), not source text: keys are stable when either language's
wording changes, are built at run time in a few places (flash messages, SPARQL refusal keys, link
lists), and a missing translation shows as a visible key that the catalogue test catches.

How to add an interface string:

1. Use it: ``{{ t('area.name') }}`` in a template or ``translate("area.name")`` in Python; with
   parameters, ``t('area.name', level=label)`` fills ``{level}`` in the text. Where a count is
   shown, ``{{ tn('area.count', count) }}`` picks the singular or plural form and fills ``{n}``
   with the count formatted for the page's locale.
2. Add the key to BOTH catalogues, kept in key order: ``msgid "area.name"`` with ``msgstr`` the
   Danish text in ``da/…/messages.po`` and the English text in ``en/…/messages.po`` (a plural
   entry has ``msgid_plural`` equal to the key and ``msgstr[0]``/``msgstr[1]``). Any gettext editor
   (Poedit, Lokalize) edits these files.
3. Run ``pytest tests/test_i18n.py``: it extracts every literal key from the Python code and the
   templates (``babel.cfg``) and fails on a key missing from a catalogue or without both texts.
   A key built at run time (``flash(key)``, ``sparql.refused.<key>``) is not extracted: make
   sure yourself that it is in both catalogues.

The ``.po`` files are compiled in memory when the app starts (no ``.mo`` files to build or ship, so
a fresh clone and an installed wheel work alike; restart the server to see an edited catalogue).

Numbers, dates and times are formatted for the page's locale with Babel (Jinja filters ``decimal``,
``date`` and ``local_time``): "4,2" and "1. marts 2026" in Danish, "4.2" and "March 1, 2026" in
English.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, cached_property
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import Flask, has_request_context, request
from flask_babel import Babel, Domain, get_locale, get_translations

LANGUAGES = ("da", "en")
TRANSLATIONS = Path(__file__).with_name("translations")
TIME_ZONE = "Europe/Copenhagen"


@cache
def catalogue(language: str) -> Translations:
    """The language's catalogue, compiled from its ``.po`` file (once per process)."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        compiled = BytesIO()
        write_mo(compiled, read_po(handle, locale=language))
    compiled.seek(0)
    return Translations(compiled, domain="messages")


class _CatalogueDomain(Domain):  # type: ignore[misc]
    """Flask-Babel's message domain, reading the catalogues compiled in memory."""

    def get_translations(self) -> Translations | NullTranslations:
        locale = get_locale()
        if locale is None or locale.language not in LANGUAGES:
            return NullTranslations()
        return catalogue(locale.language)


class _Babel(Babel):  # type: ignore[misc]
    @cached_property
    def domain_instance(self) -> Domain:
        return _CatalogueDomain()


def current_language() -> str:
    if not has_request_context():
        return LANGUAGES[0]
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="da") or "da"


def translate(key: str, **params: object) -> str:
    """The message in the page's language; ``{name}`` fields filled from ``params``."""
    text: str = get_translations().gettext(key)
    return text.format(**params) if params else text


def translate_count(key: str, count: int) -> str:
    """The singular or plural form of the message for ``count``; ``{n}`` is the count."""
    text: str = get_translations().ngettext(key, key, count)
    return text.format(n=format_decimal(count, locale=_locale()))


def texts(key: str, **params: object) -> dict[str, str] | None:
    """The message in every language (for answers that carry both), None when it is not in the
    catalogues."""
    found = {lang: catalogue(lang).gettext(key) for lang in LANGUAGES}
    if any(text == key for text in found.values()):
        return None
    return {lang: text.format(**params) if params else text for lang, text in found.items()}


def message_ids() -> set[str]:
    """Every key of the Danish catalogue."""
    return {key for key in catalogue(LANGUAGES[0])._catalog if isinstance(key, str) and key}


def other_language() -> str:
    return "en" if current_language() == "da" else "da"


def switch_language_url() -> str:
    """The current page in the other language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [other_language()]
    return request.path + "?" + urlencode(args, doseq=True)


def _locale() -> Locale:
    return get_locale() or Locale.parse(LANGUAGES[0])


def decimal(value: float | int | str, digits: int | None = None) -> str:
    """A number for the page's locale ("4,2" in Danish); ``digits`` fixes the decimals shown."""
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), format=pattern, locale=_locale())


def date(value: dt.date | str | None) -> str:
    """An xsd:date (or date) in the page's long form: "1. marts 2026", "March 1, 2026"."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value[:10])
    except ValueError:
        return str(value)
    return format_date(day, "long", locale=_locale())


def local_time(stamp: str) -> str:
    """An xsd:dateTime as Danish local time in the page's locale ("1. marts 2026 14.30")."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    try:
        moment = moment.astimezone(ZoneInfo(TIME_ZONE))
        zone = ""
    except ZoneInfoNotFoundError:
        moment = moment.astimezone(dt.UTC)
        zone = " UTC"
    day = format_date(moment, "long", locale=_locale())
    return f"{day} {format_time(moment, 'short', locale=_locale())}{zone}"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIME_ZONE)
    _Babel(app, locale_selector=current_language)
    for language in LANGUAGES:
        catalogue(language)  # a broken catalogue fails at start, not on a page
    app.jinja_env.filters.update(local_time=local_time, decimal=decimal, date=date)
    app.jinja_env.globals.update(
        t=translate,
        tn=translate_count,
        lang=current_language,
        other_lang=other_language,
        switch_language_url=switch_language_url,
    )

    @app.after_request
    def vary_on_language(response):  # type: ignore[no-untyped-def]
        response.vary.add("Accept-Language")
        return response
