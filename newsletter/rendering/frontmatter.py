"""Front matter of an edition: YAML between `---` lines, checked key by key with line numbers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import yaml

from newsletter.rendering import agenda as agenda_items
from newsletter.rendering.lines import line_problem, one_line, without_noncharacters
from newsletter.rendering.problems import Problem

KNOWN = {
    "title": "de titel (wordt het onderwerp van de mail)",
    "preheader": "de voorregel die mailprogramma's na het onderwerp tonen",
    "date": "de datum van de editie (JJJJ-MM-DD)",
    "theme": "het campagnethema",
    "segment": "de doelgroep",
    "agenda": "afspraken voor in de agenda van de lezer",
    "hashtags": "hashtags van de campagne, zonder #",
    "share": "de tekst die lezers delen",
    "count_links": "kliks op links tellen (true of false; standaard true)",
}
HASHTAG = re.compile(r"^[A-Za-z0-9_]{1,50}$")
TITLE_MAX = 150
FRONT_MAX = 10_000  # a title, a date and a segment fit many times over
PREHEADER_MAX = 200


@dataclass(frozen=True)
class FrontMatter:
    title: str = ""
    preheader: str = ""
    date: dt.date | None = None
    theme: str | None = None
    segment: dict[str, list[str]] = field(default_factory=dict)
    agenda: tuple[agenda_items.AgendaItem, ...] = ()
    hashtags: tuple[str, ...] = ()
    share: str = ""
    #: false: this edition's mail carries the original links, uncounted
    count_links: bool = True


def _hashtags(value: object, line: int) -> tuple[tuple[str, ...], list[Problem]]:
    items = [value] if isinstance(value, str) else value
    if value in (None, "", []):
        return (), []
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return (), [Problem.error("'hashtags' moet een lijst zijn, zoals [1voor12, ravijn].", line)]
    tags = tuple(str(i).strip().lstrip("#") for i in items if str(i).strip())
    wrong = [t for t in tags if not HASHTAG.match(t)]
    if wrong or len(tags) > 5:
        return (), [
            Problem.error(
                "Een hashtag is één woord van letters en cijfers (hoogstens 5): "
                + ", ".join(wrong or tags),
                line,
            )
        ]
    return tags, []


def split(source: str) -> tuple[str | None, str, int]:
    """(front matter text or None, body, line number where the body starts)."""
    text = without_noncharacters(source.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None, text, 1


def _single_line(name: str, value: object, line: int, limit: int) -> tuple[str, list[Problem]]:
    if not isinstance(value, str):
        return "", [Problem.error(f"'{name}' moet tekst zijn.", line)]
    value = value.strip()
    problems = []
    if line_problem(value):  # it becomes a mail header: one line, nothing invisible
        if len(value.splitlines()) > 1 or "\t" in value:
            text = f"'{name}' moet op één regel staan, zonder tabs."
        else:
            text = f"'{name}' bevat een onzichtbaar teken of een besturingsteken; haal het weg."
        problems.append(Problem.error(text, line))
        value = one_line(value)
    if len(value) > limit:
        problems.append(Problem.error(f"'{name}' is te lang (hoogstens {limit} tekens).", line))
    return value, problems


def _segment(value: object, line: int) -> tuple[dict[str, list[str]], list[Problem]]:
    if value in (None, "", "iedereen", "alle"):
        return {}, []
    if not isinstance(value, dict):
        return {}, [
            Problem.error("'segment' moet provincies, functies en/of gemeenten noemen.", line)
        ]
    result: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for key, items in value.items():
        if key not in ("provincies", "functies", "gemeenten"):
            problems.append(Problem.error(f"'segment' kent '{key}' niet.", line))
            continue
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(Problem.error(f"'segment.{key}' moet een lijst met namen zijn.", line))
            continue
        result[key] = [i.strip() for i in items if i.strip()]
    return result, problems


def explain(exc: yaml.YAMLError) -> str:
    """The parser's complaint, said as an editor can act on it (never the parser's English)."""
    problem = str(getattr(exc, "problem", "") or "")
    if "mapping values are not allowed" in problem:
        return (
            "Er staat een dubbele punt in een waarde. Zet de hele waarde tussen "
            'aanhalingstekens, bijvoorbeeld: title: "Jeugdzorg: het gat blijft".'
        )
    if "'\\t'" in problem or "tab" in problem:
        return "Er staat een tab in de kop van de editie. Gebruik spaties."
    if "found unexpected end of stream" in problem or "found unknown escape" in problem:
        return (
            "Een aanhalingsteken wordt niet afgesloten. Zet aan het eind van de waarde hetzelfde "
            "aanhalingsteken als aan het begin."
        )
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return (
            "Een waarde heeft aanhalingstekens in het midden. Zet de hele waarde tussen "
            "enkele aanhalingstekens, of gebruik het formulier in plaats van de bronweergave."
        )
    return (
        "De kop van de editie (tussen de twee regels ---) klopt niet. Kijk naar dubbele punten "
        "en aanhalingstekens op deze regel, of gebruik het formulier."
    )


def parse(raw: str | None) -> tuple[FrontMatter, list[Problem]]:
    """Check the front matter; every problem names the key and its line (1 = the first `---`)."""
    if raw is None:
        return FrontMatter(), [
            Problem.error("De editie begint niet met front matter tussen twee regels '---'.", 1)
        ]
    if len(raw) > FRONT_MAX:
        return FrontMatter(), [Problem.error("De front matter is te lang.", 1)]
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        data = yaml.safe_load(raw)
    except RecursionError:
        return FrontMatter(), [Problem.error("De front matter is te diep genest.", 2)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        return FrontMatter(), [Problem.error(explain(exc), line)]
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        return FrontMatter(), [Problem.error("De front matter moet sleutels met waarden zijn.", 2)]
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[key_node.value] = key_node.start_mark.line + 2
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for key, value in data.items():
        line = lines.get(str(key), 2)
        if key not in KNOWN:
            known = ", ".join(KNOWN)
            problems.append(Problem.error(f"Onbekende sleutel '{key}' (bekend: {known}).", line))
        elif key == "title":
            values["title"], found = _single_line("title", value, line, TITLE_MAX)
            problems += found
        elif key == "preheader":
            values["preheader"], found = _single_line("preheader", value, line, PREHEADER_MAX)
            problems += found
        elif key == "theme":
            values["theme"], found = _single_line("theme", value, line, 80)
            problems += found
        elif key == "date":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                values["date"] = value
            else:
                problems.append(
                    Problem.error("'date' moet een datum zijn, zoals 2026-12-01.", line)
                )
        elif key == "segment":
            values["segment"], found = _segment(value, line)
            problems += found
        elif key == "agenda":
            values["agenda"], found = agenda_items.parse(value, line)
            problems += found
        elif key == "hashtags":
            values["hashtags"], found = _hashtags(value, line)
            problems += found
        elif key == "share":
            values["share"], found = _single_line("share", value, line, 200)
            problems += found
        elif key == "count_links":
            if isinstance(value, bool):
                values["count_links"] = value
            else:
                problems.append(Problem.error("'count_links' is true of false.", line))
    if not values.get("title"):
        problems.append(Problem.error("Het onderwerp ontbreekt.", 1))
    if not values.get("preheader"):
        problems.append(
            Problem.warning("De voorregel ontbreekt: mailprogramma's tonen dan de eerste zin.", 1)
        )
    return FrontMatter(**values), problems  # type: ignore[arg-type]


@dataclass(frozen=True)
class Fields:
    """An edition as the workspace's form shows it: fields for the front matter, and the body."""

    title: str = ""
    preheader: str = ""
    date: dt.date | None = None
    theme: str = ""
    segment: dict[str, list[str]] = field(default_factory=dict)
    agenda: tuple[agenda_items.AgendaItem, ...] = ()
    hashtags: tuple[str, ...] = ()
    share: str = ""
    body: str = ""
    count_links: bool = True


def compose(fields: Fields) -> str:
    """The source (front matter + Markdown) for the form's fields. YAML quoting is done here,
    so a title with a colon, quotes or an emoji needs nothing from the editor."""
    data: dict[str, object] = {"title": fields.title.strip()}
    if fields.preheader.strip():
        data["preheader"] = fields.preheader.strip()
    if fields.date is not None:
        data["date"] = fields.date
    if fields.theme.strip():
        data["theme"] = fields.theme.strip()
    segment = {key: items for key, items in fields.segment.items() if items}
    if segment:
        data["segment"] = segment
    if fields.agenda:
        data["agenda"] = [item.as_front() for item in fields.agenda]
    if fields.hashtags:
        data["hashtags"] = list(fields.hashtags)
    if fields.share.strip():
        data["share"] = fields.share.strip()
    if not fields.count_links:
        data["count_links"] = False
    front = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=100_000, default_flow_style=False
    )
    body = fields.body.replace("\r\n", "\n").replace("\r", "\n")
    return f"---\n{front}---\n{body}"


def decompose(source: str) -> Fields | None:
    """The form's fields for a source, or None when its front matter cannot be read as fields
    (then the source view shows it, with the problem)."""
    raw, body, _ = split(source)
    if raw is None or len(raw) > FRONT_MAX:
        return None
    try:
        data = yaml.safe_load(raw) or {}
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) - set(KNOWN):
        return None
    texts = {key: data.get(key) or "" for key in ("title", "preheader", "theme")}
    if not all(isinstance(value, str) for value in texts.values()):
        return None
    date = data.get("date")
    if date is not None and not (isinstance(date, dt.date) and not isinstance(date, dt.datetime)):
        return None
    segment, problems = _segment(data.get("segment"), 1)
    agenda, agenda_problems = agenda_items.parse(data.get("agenda"), 1)
    hashtags, tag_problems = _hashtags(data.get("hashtags"), 1)
    share = data.get("share") or ""
    count_links = data.get("count_links", True)
    if problems or agenda_problems or tag_problems or not isinstance(share, str):
        return None
    if not isinstance(count_links, bool):
        return None
    return Fields(
        title=texts["title"],
        preheader=texts["preheader"],
        date=date,
        theme=texts["theme"],
        segment=segment,
        agenda=agenda,
        hashtags=hashtags,
        share=share,
        body=body,
        count_links=count_links,
    )
