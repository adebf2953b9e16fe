"""The search commands from the command line: JSON contract, errors, marking, blacklists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ficsift.cli import app
from tests.sure_guesses import a_hiding_guess

from .conftest import write_fics

runner = CliRunner()
RESULT_KEYS = {"id", "title", "authors", "score", "quality", "source", "why", "fandoms",
               "relationships", "characters", "tags", "rating", "warnings", "words", "status"}  # fmt: skip


@pytest.fixture(scope="module")
def lib_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    fics = write_fics(root / "fics")
    result = runner.invoke(app, ["add", str(fics), "--library", str(root / "lib"), "--json"])
    assert result.exit_code == 0, result.output
    return root / "lib"


def cli(lib_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--library", str(lib_dir)])
    return result.exit_code, result.output


def test_search_json_contract(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", 'ship:"Willow/Tara"', "--json")
    assert code == 0, output
    data = json.loads(output)
    assert data["total"] == 2
    assert {"total", "results", "facets"} <= set(data)
    for result in data["results"]:
        assert set(result) >= RESULT_KEYS
        assert result["source"].endswith(".md")
        assert result["why"]
    assert {"fandom", "relationship"} <= set(data["facets"])


def test_search_options_combine_with_the_language(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", "--tag", "Buffy/Spike", "--exclude", "Major Character Death",
                       "--complete", "--words-min", "10", "--main-pairing", "--json")  # fmt: skip
    assert code == 0, output
    assert [r["title"] for r in json.loads(output)["results"]] == []
    code, output = cli(
        lib_dir, "search", "--tag", "Buffy/Spike", "--exclude", "Major Character Death", "--json"
    )
    assert [r["title"] for r in json.loads(output)["results"]] == ["The Cellar Door"]


def test_bad_query_is_one_clear_error(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", "words>many")
    assert code == 2
    assert "bad query" in output and "'many' is not a number" in output


def test_mark_why_similar_blacklist(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", "cellar", "--json")
    work = str(json.loads(output)["results"][0]["id"])
    code, output = cli(lib_dir, "mark", work, "--status", "read", "--rating", "4", "--json")
    assert code == 0 and json.loads(output)["status"] == "read"
    code, output = cli(lib_dir, "mark", work, "--rating", "9")
    assert code == 1 and "rating must be 1 to 5" in output
    code, output = cli(lib_dir, "search", "hide:read", "--json")
    assert work not in {str(r["id"]) for r in json.loads(output)["results"]}
    code, output = cli(lib_dir, "why", work)
    assert code == 0 and output.startswith("quality ")
    code, output = cli(lib_dir, "similar", work, "--json")
    assert code == 0 and json.loads(output)["results"]
    code, output = cli(lib_dir, "blacklist", "add", "Doctor Who", "--kind", "tag")
    assert code == 0
    code, output = cli(lib_dir, "blacklist", "list", "--json")
    (entry,) = json.loads(output)
    code, output = cli(lib_dir, "search", "--json")
    assert "Blue Box Blues" not in {r["title"] for r in json.loads(output)["results"]}
    assert cli(lib_dir, "blacklist", "remove", str(entry["id"]))[0] == 0
    assert cli(lib_dir, "blacklist", "remove", str(entry["id"]))[0] == 1
    assert cli(lib_dir, "why", "999")[0] == 1


def titles_of(output: str) -> set[str]:
    return {r["title"] for r in json.loads(output)["results"]}


def test_query_words_may_start_with_a_dash(lib_dir: Path) -> None:
    """As the shell passes them: ``-"Major Character Death"`` arrives as one token with
    spaces and no quotes, ``-spike`` looks like an option; both are query words."""
    code, everything = cli(lib_dir, "search", "--json", "--limit", "50")
    assert code == 0, everything
    code, without = cli(lib_dir, "search", "-Major Character Death", "--json", "--limit", "50")
    assert code == 0, without
    assert "Bleached" in titles_of(everything) and "Bleached" not in titles_of(without)
    code, no_spike = cli(lib_dir, "search", "--json", "-spike", "--limit", "50")
    assert code == 0, no_spike
    assert "Bleached" not in titles_of(no_spike) and "Card Catalogue" in titles_of(no_spike)
    assert json.loads(no_spike)["total"] < json.loads(everything)["total"]


def test_an_unknown_long_option_is_still_an_error(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", "--sorting", "kudos")
    assert code == 2
    assert "--sorting" in output


def test_a_shell_unquoted_wildcard_tag_keeps_its_spaces(lib_dir: Path) -> None:
    code, output = cli(lib_dir, "search", "ship:Willow Rosenberg/*", "--json")
    assert code == 0, output
    assert "The Cellar Door" in titles_of(output) and "Bleached" not in titles_of(output)


def test_a_whole_query_in_single_quotes_reads_as_typed(lib_dir: Path) -> None:
    code, quoted = cli(lib_dir, "search", "tag:Vampires sort:quality", "--json")
    assert code == 0, quoted
    code, apart = cli(lib_dir, "search", "tag:Vampires", "sort:quality", "--json")
    assert code == 0, apart
    assert json.loads(quoted)["total"] == json.loads(apart)["total"] > 0
    code, words = cli(lib_dir, "search", "cellar boiler", "--json", "semantic:off")
    assert code == 0, words
    assert titles_of(words) == {"The Cellar Door"}  # two words, not the phrase "cellar boiler"


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ["show", HUGE, "LIB"], ["explain", HUGE, "vampire", "LIB"], ["why", HUGE, "LIB"],
        ["similar", HUGE, "LIB"], ["mark", HUGE, "--status", "read", "LIB"],
        ["blacklist", "remove", HUGE, "LIB"], ["show", "0", "LIB"], ["why", "9" * 5000, "LIB"],
        ["similar", "LIB", "--", "-3"], ["mark", "twelve", "--rating", "2", "LIB"],
    ],
)  # fmt: skip
def test_an_impossible_id_is_one_line(lib_dir: Path, args: list[str]) -> None:
    """Ids past SQLite's integers raised OverflowError with a traceback."""
    at = args.index("LIB")
    result = runner.invoke(app, [*args[:at], "--library", str(lib_dir), *args[at + 1 :]])
    assert result.exit_code == 2, result.output
    (line,) = result.output.splitlines()
    assert line.startswith("ficsift: a ") and "id is a whole number" in line


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", HUGE], ["list", "--offset", HUGE], ["search", "--limit", HUGE],
        ["search", "--offset", HUGE], ["similar", "1", "--limit", HUGE],
        ["search", "--facets", HUGE, "--json"],
    ],
)  # fmt: skip
def test_a_huge_page_size_is_clamped(lib_dir: Path, args: list[str]) -> None:
    code, output = cli(lib_dir, *args)
    assert code == 0, output


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("words>99999999999999999999", "'99999999999999999999' is too large"),
        ("kudos>=1e400", "'1e400' is too large"),
        ("words:1k..99999999999999999999999", "'99999999999999999999999' is too large"),
    ],
)
def test_a_number_past_sqlite_integers_is_a_bad_query(
    lib_dir: Path, query: str, shown: str
) -> None:
    code, output = cli(lib_dir, "search", query)
    assert code == 2, output
    value_at = len(query) - len(query.lstrip("abcdefghijklmnopqrstuvwxyz:<>="))  # the caret
    assert output.splitlines() == [f"ficsift: bad query: {shown} (at most {2**63 - 2})", query,
                                   " " * value_at + f"^ {shown} (at most {2**63 - 2})"]  # fmt: skip
    code, output = cli(lib_dir, "search", "--words-min", HUGE)
    assert code == 2 and "Traceback" not in output and "--words-min" in output


def test_a_search_says_how_many_works_guesses_alone_hid(lib_dir: Path) -> None:
    kind, name = a_hiding_guess(lib_dir)
    code, out = cli(lib_dir, "search", f'-{kind}:"{name}"')
    assert code == 0
    line = next(x for x in out.splitlines() if "hidden only by ficsift's guessed tags" in x)
    hidden = int(line.split()[0].replace(",", ""))
    code, listed = cli(lib_dir, "search", f'-{kind}:"{name}" guesses:only', "--json")
    assert code == 0 and json.loads(listed)["total"] == hidden >= 1
    code, out = cli(lib_dir, "search", f'-{kind}:"{name}" guesses:show')
    assert "hidden only by" not in out
