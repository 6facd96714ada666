"""The command line. Each command parses its options and calls one function."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipelinegen import __version__
from pipelinegen.commands import help_examples
from pipelinegen.core.errors import InputError, PipelinegenError, os_failure
from pipelinegen.core.redact import redact
from pipelinegen.generation import report
from pipelinegen.generation.workspace import Workspace

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


# The commands that write files: their input errors say that nothing was written.
WRITERS = frozenset({"generate", "pin", "pin-actions"})


class _Cli(click.Group):
    """The one place that turns pipelinegen's errors into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(redact(report.problems(exc.problems, "auto")), err=True, nl=False)
            # Only the commands that write say so; for the others it is noise.
            written = "; nothing was written" if ctx.invoked_subcommand in WRITERS else ""
            click.echo(f"error: {exc.message}{written}", err=True)
            ctx.exit(exc.exit_code)
        except PipelinegenError as exc:
            _error(ctx, exc)
        except OSError as exc:  # the disk or the system refused: a message, never a traceback
            _error(ctx, os_failure("use", str(exc.filename or "a file"), exc))


def _error(ctx: click.Context, exc: PipelinegenError) -> None:
    click.echo(f"error: {redact(exc.message)}", err=True)
    if exc.hint:
        click.echo(f"hint: {redact(exc.hint)}", err=True)
    ctx.exit(exc.exit_code)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipelinegen")
def cli() -> None:
    """Compile services.yaml into workflows, Dockerfiles, Helm charts and rulesets.

    Exit codes: 0 ok, 1 findings or drift, 2 usage or input error.
    """


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (default: DIRECTORY/services.yaml; never overwritten).")
@click.option("--dry-run", is_flag=True, help="Print the services file instead of writing it.")
@click.option("--base", "bases", multiple=True, metavar="NAME=IMAGE:TAG",
              help="Use this base image (e.g. a mirror) instead of the official one. Repeatable.")
def init(directory: Path, output: Path | None, dry_run: bool, bases: tuple[str, ...]) -> None:
    """Scan a repository and write a first services.yaml, a comment on every guess."""
    from pipelinegen.commands.init import init as scan_and_write

    chosen = dict(_key_value(base, "--base") for base in bases)
    scan_and_write(directory, output, chosen, dry_run, click.echo)


@cli.command()
@workspace_options
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.option("--adopt", "adopt", multiple=True, metavar="PATH",
              help="Take over this existing file that pipelinegen did not write (repeatable).")
def generate(file: Path, root: Path | None, force: bool, adopt: tuple[str, ...]) -> None:
    """Write every generated file; delete the ones no longer generated."""
    from pipelinegen.commands.generate import generate as write_all

    write_all(Workspace.locate(file, root, writes=True), force, frozenset(adopt), click.echo)


@cli.command()
@workspace_options
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="auto",
              show_default=True, help="auto: GitHub annotations inside Actions, else text.")
@click.option("--diff", "full_diff", is_flag=True,
              help="Text: print the whole diff instead of the per-file summary.")
def check(file: Path, root: Path | None, fmt: str, full_diff: bool) -> None:
    """Exit 1 if the generated files on disk differ from what the model produces."""
    from pipelinegen.commands.check import check as compare

    compare(Workspace.locate(file, root), fmt, full_diff, sys.stdout.isatty(), click.echo)


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
    from pipelinegen.commands.diff import DiffOptions
    from pipelinegen.commands.diff import diff as review

    review(DiffOptions(file, root, base, head, old, new, fmt, stat, color=sys.stdout.isatty()),
           click.echo)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of services.yaml."""
    from pipelinegen.commands.schema import schema as print_schema

    print_schema(click.echo)


@cli.command()
@workspace_options
@click.option("--rule", "rules", multiple=True, help="Run only this rule (repeatable).")
@click.option("--format", "fmt", type=click.Choice(report.FORMATS), default="auto",
              show_default=True)
@click.option("--list", "list_rules", is_flag=True, help="List the rules and exit.")
def validate(file: Path, root: Path | None, rules: tuple[str, ...], fmt: str,
             list_rules: bool) -> None:
    """Check the repository against pipelinegen's rules; exit 1 on any problem."""
    from pipelinegen.commands import validate as validation

    if list_rules:
        validation.list_rules(click.echo)
    else:
        validation.validate(Workspace.locate(file, root), rules, fmt, click.echo)


@cli.command()
@click.argument("rule_id", metavar="RULE-ID")
def explain(rule_id: str) -> None:
    """Print why a rule exists, with a passing and a failing example."""
    from pipelinegen.commands.validate import explain as explain_rule

    explain_rule(rule_id, click.echo)


@cli.group("branch-protection")
def branch_protection() -> None:
    """Compare the live branch protection of a GitHub repository with the model, or apply it.

    The token comes from GITHUB_TOKEN or GH_TOKEN and is never printed.
    """


def github_options(command: F) -> F:
    """--repo and --api-url, shared by the branch-protection commands."""
    command = click.option(
        "--api-url", default=None, metavar="URL",
        help="REST API base URL, e.g. https://HOST/api/v3 for GitHub Enterprise Server"
        " (default: $GITHUB_API_URL, else https://api.github.com).",
    )(command)
    return click.option("--repo", default=None, metavar="OWNER/NAME",
                        help="Repository (default: project.repository).")(command)


@branch_protection.command("check")
@workspace_options
@github_options
@click.option("--branch", default=None, help="Only this branch (default: every protected one).")
def branch_protection_check(file: Path, root: Path | None, repo: str | None,
                            api_url: str | None, branch: str | None) -> None:
    """Print every difference between the live protection and the model; exit 1 on any."""
    from pipelinegen.commands import branch_protection as protection

    protection.check(Workspace.locate(file, root).model, repo, branch, api_url, click.echo)


@branch_protection.command("apply")
@workspace_options
@github_options
@click.option("--dry-run", is_flag=True, help="Print the request instead of sending it.")
def branch_protection_apply(file: Path, root: Path | None, repo: str | None,
                            api_url: str | None, dry_run: bool) -> None:
    """Create or update the repository ruleset from the model."""
    from pipelinegen.commands import branch_protection as protection

    protection.apply_ruleset(Workspace.locate(file, root).model, repo, api_url, dry_run, click.echo)


@cli.command()
@click.option("--repo", required=True, metavar="OWNER/NAME", help="Repository to read.")
@click.option("--since", default=None, metavar="DATE",
              help="Only runs and deployments created on or after this date (YYYY-MM-DD).")
@click.option("--branch", default=None, help="CI runs of this branch (default: the repository's"
              " default branch).")
@click.option("--workflow", default="ci.yml", show_default=True, help="The CI workflow's file.")
@click.option("--production", default="production", show_default=True,
              help="Environment whose deployments give the change failure rate.")
@click.option("--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text",
              show_default=True)
@click.option("--api-url", default=None, metavar="URL",
              help="REST API base URL (default: $GITHUB_API_URL, else https://api.github.com).")
def kpis(repo: str, since: str | None, branch: str | None, workflow: str, production: str,
         fmt: str, api_url: str | None) -> None:
    """Deployment success, rollbacks, change failure rate, CI duration and time to recovery
    from GitHub, each against the charter's target; exit 1 when one is missed.

    The token comes from GITHUB_TOKEN or GH_TOKEN and is never printed.
    """
    from pipelinegen.commands.kpis import run as measure

    measure(repo, since, branch, workflow, production, fmt, api_url, click.echo)


@cli.command()
@workspace_options
@click.option("--base", required=True, help="Commit the change starts from (e.g. the PR base).")
@click.option("--head", default="HEAD", show_default=True, help="Commit the change ends at.")
@click.option("--format", "fmt", type=click.Choice(["json", "text", "matrix"]), default="text",
              show_default=True, help="json: a sorted JSON list; matrix: the build matrix"
              " entries as `chunk-N=<JSON>` lines for $GITHUB_OUTPUT (ci.yml's build jobs).")
@click.option("--only", type=click.Choice(["all", "build", "deploy-only", "removed"]),
              default="all", show_default=True,
              help="build: the services whose image must be rebuilt; deploy-only: those whose"
              " running image is deployed again; removed: those the change removes.")
def affected(file: Path, root: Path | None, base: str, head: str, fmt: str, only: str) -> None:
    """List the services a git change affects (their paths, dependencies or model entry)."""
    from pipelinegen.commands.affected import affected as list_affected

    list_affected(Workspace.locate(file, root), base, head, fmt, only, click.echo)


@cli.command("pin-actions")
@click.argument("requests", nargs=-1, metavar="[ACTION@TAG]...")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Repository root holding .github/actions.lock.json.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the lock is not current.")
@click.option("--base-url", default="https://github.com", show_default=True,
              help="Where action repositories live: <base-url>/<owner>/<repo>.")
def pin_actions(requests: tuple[str, ...], root: Path, check: bool, base_url: str) -> None:
    """Resolve each action's tag to its commit SHA (git ls-remote) and rewrite the lock."""
    from pipelinegen.commands.pin_actions import pin_actions as pin_all

    pin_all(root, requests, base_url, check, click.echo)


@cli.command()
@workspace_options
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a base is stale.")
@click.option("--insecure-registry", "insecure", multiple=True, metavar="HOST",
              help="Speak plain HTTP to this registry (loopback hosts always are). Repeatable.")
@click.option("--generate", "regenerate", is_flag=True,
              help="Then regenerate the files the new digests change (as `generate`).")
def pin(file: Path, root: Path | None, check: bool, insecure: tuple[str, ...],
        regenerate: bool) -> None:
    """Resolve every base in `bases` to its registry's current digest; rewrite services.yaml."""
    from pipelinegen.commands.generate import generate as write_all
    from pipelinegen.commands.pin import pin as pin_bases

    if check and regenerate:
        raise click.UsageError("--check changes nothing; it cannot be combined with --generate")

    def then_generate() -> None:  # a fresh read of the new model
        write_all(Workspace.locate(file, root, writes=True), False, frozenset(), click.echo)

    pin_bases(Workspace.locate(file, root), check, insecure,
              then_generate if regenerate else None, click.echo)


@cli.command()
@workspace_options
@click.argument("services", nargs=-1)
@click.option("--tag", default="dev", show_default=True, help="Tag of the built images.")
@click.option("--build-arg", "build_args", multiple=True, metavar="KEY=VALUE",
              help="Passed to docker build (REVISION, VERSION, SOURCE label the image).")
@click.option("--smoke-test/--no-smoke-test", default=True, show_default=True,
              help="Start each image as the chart runs it and require its health check to pass.")
def build(file: Path, root: Path | None, services: tuple[str, ...], tag: str,
          build_args: tuple[str, ...], smoke_test: bool) -> None:
    """Build images with BuildKit, smoke-test them and check their sizes; exit 1 if any is
    over budget."""
    from pipelinegen.commands.build import build as build_images

    args = {"VERSION": tag, **dict(_key_value(arg) for arg in build_args)}
    build_images(Workspace.locate(file, root), services, tag, args, smoke_test, click.echo)


def _key_value(text: str, option: str = "--build-arg") -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint=option)
    return key, value


@cli.command("image-size")
@workspace_options
@click.option("--service", required=True, help="Service whose budget applies.")
@click.option("--image", "image", required=True, help="Local image reference to measure.")
def image_size(file: Path, root: Path | None, service: str, image: str) -> None:
    """Check an image built elsewhere against its service's size budget; exit 1 if over."""
    from pipelinegen.commands.build import image_size as measure

    measure(Workspace.locate(file, root), service, image, click.echo)


@cli.command("vuln-gate")
@workspace_options
@click.option("--service", required=True, help="Service whose image was scanned.")
@click.option("--environment", default=None, help="Environment whose fail_on applies.")
@click.option("--report", "report_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The scanner's JSON report.")
@click.option("--scanner", type=click.Choice(["grype", "trivy"]), default=None,
              help="Tool that wrote the report (default: project.vulnerabilities.scanner).")
def vuln_gate(file: Path, root: Path | None, service: str, environment: str | None,
              report_path: Path, scanner: str | None) -> None:
    """Gate a scan report on severity and the model's exceptions; exit 1 if it fails."""
    from pipelinegen.commands.vuln_gate import vuln_gate as gate

    gate(Workspace.locate(file, root).model, service, environment, report_path, scanner,
         click.echo)


@cli.command()
@workspace_options
@click.argument("target", metavar="SERVICE|IMAGE")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["cyclonedx", "spdx"]), default="cyclonedx",
              show_default=True, help="CycloneDX JSON or SPDX JSON.")
@click.option("--tag", default="dev", show_default=True, help="Tag used when given a SERVICE.")
@click.option("--pull", is_flag=True,
              help="Pull the image from its registry first (default: the local engine only).")
def sbom(file: Path, root: Path | None, target: str, output: Path, fmt: str, tag: str,
         pull: bool) -> None:
    """Write the SBOM of an image (or of a service's image, <image>:<tag>) with syft."""
    from pipelinegen.commands.sbom import sbom as write_sbom

    write_sbom(file, root, target, output, fmt, tag, pull, click.echo)


@cli.command()
@workspace_options
@click.option("--actual", metavar="FILE|URL", help="An OpenCost /allocation export (JSON), or"
              " the URL of the allocation API, to compare with the estimate.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where the CSV goes (default: reports/costs/monthly_costs.csv).")
def cost(file: Path, root: Path | None, actual: str | None, output: Path | None) -> None:
    """Monthly cost per service and environment; exit 1 if a service is over its budget."""
    from pipelinegen.commands.cost import cost as estimate

    estimate(Workspace.locate(file, root), actual, output, click.echo)


help_examples.attach(cli)


def main(argv: list[str] | None = None) -> None:
    """Console entry point (exits with the command's exit code). As the program itself (no
    `argv`: the arguments are the process's), it ends the process without freeing its objects."""
    # A run keeps nearly everything it makes until it exits (the model, every file's bytes):
    # collecting cycles every 700 allocations only re-walks them. Fewer collections, as mypy
    # makes, take a tenth off a large run.
    gc.set_threshold(200_000, 30, 30)
    if argv is not None:
        cli(args=argv, prog_name="pipelinegen")
        return
    try:
        cli(prog_name="pipelinegen")
        code = 0
    except SystemExit as exc:  # click always ends this way
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        code = exc.code or 0
    _fast_exit(code)


def _fast_exit(code: int) -> None:
    """Exit now, as mypy does: freeing a large run's objects one by one takes a tenth of it.
    Every file was closed and the lock released before the command returned; only the standard
    streams are left to flush (failing which, the ordinary exit reports it)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code)
