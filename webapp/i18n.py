"""Danish first, English second: the page language and the interface strings.

The language is ``?lang=da|en`` when given, else the browser's ``Accept-Language``, else Danish.
Interface strings live in ``webapp/messages.json`` (key -> {"da": ..., "en": ...}).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, request

LANGUAGES = ("da", "en")


@cache
def messages() -> dict[str, dict[str, str]]:
    path = Path(__file__).with_name("messages.json")
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def current_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="da") or "da"


def translate(key: str) -> str:
    entry = messages().get(key)
    if entry is None:
        return key
    return entry.get(current_language()) or entry["da"]


def other_language() -> str:
    return "en" if current_language() == "da" else "da"


def switch_language_url() -> str:
    """The current page in the other language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [other_language()]
    return request.path + "?" + urlencode(args, doseq=True)


def local_time(stamp: str) -> str:
    """An xsd:dateTime as Danish local time (UTC where the time zone database is missing)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
        return moment.astimezone(ZoneInfo("Europe/Copenhagen")).strftime("%Y-%m-%d %H:%M")
    except ZoneInfoNotFoundError:
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals.update(
        t=translate,
        lang=current_language,
        other_lang=other_language,
        switch_language_url=switch_language_url,
    )

    @app.after_request
    def vary_on_language(response):  # type: ignore[no-untyped-def]
        response.vary.add("Accept-Language")
        return response
