"""The command line. Each command parses its options and calls one function."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipelinegen import __version__, report
from pipelinegen.errors import Exit, FindingsError, InputError, PipelinegenError
from pipelinegen.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def workspace_options(command: F) -> F:
    """--file and --root, shared by every command that reads the model."""
    command = click.option(
        "--root", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="Repository root (default: the directory of the services file).",
    )(command)
    return click.option(
        "-f", "--file", "file", type=click.Path(dir_okay=False, path_type=Path),
        default=Path("services.yaml"), show_default=True, help="The services file.",
    )(command)


def _workspace(file: Path, root: Path | None) -> Workspace:
    return Workspace.locate(file, root)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipelinegen")
def cli() -> None:
    """Compile services.yaml into workflows, Dockerfiles, Helm charts and rulesets.

    Exit codes: 0 ok, 1 findings or drift, 2 usage or input error.
    """


@cli.command()
@workspace_options
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
def generate(file: Path, root: Path | None, force: bool) -> None:
    """Write every generated file; delete the ones no longer generated."""
    from pipelinegen import writer

    ws = _workspace(file, root)
    summary = writer.apply(ws.compare(), ws.root, force=force)
    for label, paths in (("created", summary.created), ("updated", summary.updated),
                         ("deleted", summary.deleted)):
        for path in paths:
            click.echo(f"{label:8} {path}")
    click.echo(f"{len(summary.created)} created, {len(summary.updated)} updated, "
               f"{len(summary.deleted)} deleted, {len(summary.unchanged)} unchanged")


@cli.command()
@workspace_options
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="auto",
              show_default=True, help="auto: GitHub annotations inside Actions, else text.")
def check(file: Path, root: Path | None, fmt: str) -> None:
    """Exit 1 if the generated files on disk differ from what the model produces."""
    ws = _workspace(file, root)
    comparison = ws.compare()
    if comparison.clean:
        if report.resolve_format(fmt) == "json":
            click.echo("[]")
        else:
            click.echo(f"{len(comparison.unchanged)} generated files are up to date")
        return
    click.echo(report.problems(report.drift_problems(comparison, ws.source), fmt), nl=False)
    if report.resolve_format(fmt) != "json":
        click.echo(report.diff_text(comparison, color=sys.stdout.isatty()), nl=False)
    raise FindingsError("generated files are out of date", "run `pipelinegen generate`")


@cli.command()
@workspace_options
@click.option("--base", metavar="REF", help="Review the change from the model at this git ref.")
@click.option("--head", metavar="REF", help="With --base: the changed side (default: the working"
              " tree).")
@click.option("--old", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Review the change from this services file ...")
@click.option("--new", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="... to this one.")
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text",
              show_default=True, help="markdown: a pull-request comment; json: see"
              " specs/diff.schema.json.")
@click.option("--stat", is_flag=True, help="Only the summary: files and lines, no diffs.")
def diff(file: Path, root: Path | None, base: str | None, head: str | None, old: Path | None,
         new: Path | None, fmt: str, stat: bool) -> None:
    """Show what a change does. Exit 0 either way.

    With --base (or --old/--new): per service, the model fields that change, the generated files
    that change with their diffs, and generated files that differ from the model (drift).
    Without: what `generate` would change on disk, as a unified diff.
    """
    from pipelinegen.review.command import DiffOptions, diff_output

    click.echo(diff_output(DiffOptions(file, root, base, head, old, new, fmt, stat,
                                       color=sys.stdout.isatty())), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of services.yaml."""
    from pipelinegen.emit.schema import schema_text

    click.echo(schema_text(), nl=False)


@cli.command()
@workspace_options
@click.option("--rule", "rules", multiple=True, help="Run only this rule (repeatable).")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="auto",
              show_default=True)
@click.option("--list", "list_rules", is_flag=True, help="List the rules and exit.")
def validate(file: Path, root: Path | None, rules: tuple[str, ...], fmt: str,
             list_rules: bool) -> None:
    """Check the repository against pipelinegen's rules; exit 1 on any problem."""
    from pipelinegen import validate as validation

    if list_rules:
        for rule in validation.RULES.values():
            click.echo(f"{rule.id:24} {rule.summary}")
        return
    ws = _workspace(file, root)
    context = validation.Context(ws.root, ws.inputs, ws.plan)
    found = validation.run(context, rules)
    click.echo(report.problems(found, fmt), nl=False)
    if any(p.level == "error" for p in found):
        raise FindingsError(f"{len(found)} problem(s) found")
    if report.resolve_format(fmt) == "text":
        click.echo(f"{len(validation.RULES) if not rules else len(rules)} rule(s) passed")


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one place that turns errors into messages and exit codes."""
    try:
        cli.main(args=argv, prog_name="pipelinegen", standalone_mode=False)
    except InputError as exc:
        click.echo(report.problems(exc.problems, "auto"), err=True, nl=False)
        click.echo(f"error: {exc.message}; nothing was written", err=True)
        sys.exit(exc.exit_code)
    except PipelinegenError as exc:
        click.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(Exit.USAGE)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(Exit.OK)
