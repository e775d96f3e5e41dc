"""The command line speaks Dutch to operators (issue 29): the password asked twice, yes/no
questions answered with j/n, click's errors and help, and every command's own help."""

from __future__ import annotations

import re

import click

from tests.factories import EDITOR_PASSWORD

OURS = ("doctor", "editors", "editions", "delivery", "subscribers", "api-keys")
#: click's English, as it would show without the translations
ENGLISH = re.compile(
    r"Usage:|Options:|Show this message|Repeat for confirmation|Aborted|Error:|\[y/N\]"
    r"|do not match|Missing argument|\[required\]"
)


def test_a_password_is_asked_twice_in_dutch(app, db):
    typed = f"{EDITOR_PASSWORD}\niets anders\n{EDITOR_PASSWORD}\n{EDITOR_PASSWORD}\n"
    result = app.test_cli_runner().invoke(args=["editors", "create", "a@vng.example"], input=typed)
    assert result.exit_code == 0, result.output
    assert "Herhaal het wachtwoord ter controle:" in result.output
    assert "De twee invoeren zijn niet gelijk." in result.output
    assert not ENGLISH.search(result.output), result.output


def test_a_question_is_answered_with_j_or_n(app, db):
    runner = app.test_cli_runner()
    stopped = runner.invoke(args=["subscribers", "erase", "a@x.example"], input="yes\nn\n")
    assert stopped.exit_code == 1
    assert "[j/N]" in stopped.output and "Antwoord met j (ja) of n (nee)." in stopped.output
    assert "Fout: Afgebroken; er is niets veranderd." in stopped.output
    went_on = runner.invoke(args=["subscribers", "erase", "a@x.example"], input="j\n")
    assert went_on.exit_code == 0 and "er is niets gewist" in went_on.output
    missing = runner.invoke(args=["editors", "create"])
    assert "Fout: Ontbrekend argument 'EMAIL'." in missing.output
    assert not ENGLISH.search(stopped.output + went_on.output + missing.output)


def test_every_command_explains_itself_in_dutch(app):
    runner = app.test_cli_runner()
    seen = []

    def walk(command: click.Command, path: list[str]) -> None:
        shown = runner.invoke(args=[*path, "--help"]).output
        assert shown.startswith("Gebruik:") and "Toon deze uitleg en stop." in shown, shown
        assert not ENGLISH.search(shown), shown
        assert command.help and command.help.strip(), f"{' '.join(path)} has no help"
        seen.append(" ".join(path))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    for name in OURS:
        walk(app.cli.commands[name], [name])
    assert len(seen) > 30, seen
