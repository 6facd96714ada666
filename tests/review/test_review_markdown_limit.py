"""A review too big for one pull-request comment is shortened, stays valid and keeps its summary."""

from __future__ import annotations

import re

import cmarkgfm
from cmarkgfm.cmark import Options

from pipelinegen.change_report import (
    ChangeReport,
    FieldChange,
    FileChange,
    ProjectChange,
    ServiceChange,
    Totals,
)
from pipelinegen.review import render_markdown
from pipelinegen.review.render_markdown import GITHUB_LIMIT, LIMIT
from tests.support.review import Repo


def _html(markdown: str) -> str:
    """The comment as GitHub's renderer (cmark-gfm) turns it into HTML, raw HTML kept."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def _assert_valid_and_under_the_limit(markdown: str) -> str:
    assert len(markdown.encode()) <= LIMIT < GITHUB_LIMIT
    html = _html(markdown)
    # Every diff block is closed: the <details> balance, and the closing note renders as a
    # quote after the last code block instead of being swallowed by an unclosed fence.
    assert html.count("<details>") == html.count("</details>")
    assert html.rstrip().endswith("</blockquote>")
    assert "Shortened" in html.rsplit("<blockquote>", 1)[1]
    return html


def _service(name: str, lines: int) -> ServiceChange:
    old = "".join(f"line {n}\n" for n in range(lines))
    new = "".join(f"line {n} changed\n" for n in range(lines))
    diff = (f"--- a/generated/helm/{name}/values.yaml\n+++ b/generated/helm/{name}/values.yaml\n"
            f"@@ -1,{lines} +1,{lines} @@\n" + "".join(f"-{x}\n" for x in old.splitlines())
            + "".join(f"+{x}\n" for x in new.splitlines()))
    change = FieldChange(field=f"{name}.port", old=1, new=2, summary=f"{name}.port: 1 -> 2")
    return ServiceChange(name=name, status="changed", changes=[change], files=[FileChange(
        path=f"generated/helm/{name}/values.yaml", status="modified", added=lines,
        removed=lines, diff=diff)])


def _report(services: list[ServiceChange]) -> ChangeReport:
    files = [f for s in services for f in s.files]
    return ChangeReport(
        source="services.yaml", base="origin/main", head="working tree", services=services,
        project=ProjectChange(), drift_checked=True,
        totals=Totals(files=len(files), added=sum(f.added for f in files),
                      removed=sum(f.removed for f in files)),
    )


def test_a_small_review_is_whole() -> None:
    markdown = render_markdown.render(_report([_service("api", 10)]))
    assert "Shortened" not in markdown
    html = _html(markdown)
    assert html.count('<pre lang="diff">') == 1 and html.count("<details>") == 1
    assert "+line 9 changed\n</code></pre>" in html
    stat = render_markdown.render(_report([_service("api", 10)]), stat=True)
    assert "<details>" not in stat and "| `generated/helm/api/values.yaml` | modified |" in stat


def test_big_diffs_are_shortened_and_the_summary_kept() -> None:
    services = [_service(f"svc{n:02}", 400 + 37 * n) for n in range(12)]
    full = render_markdown.render(_report(services), limit=10**9)
    assert len(full.encode()) > LIMIT  # the case: the whole review does not fit
    markdown = render_markdown.render(_report(services))
    html = _assert_valid_and_under_the_limit(markdown)
    assert len(markdown.encode()) > LIMIT - 2_000  # the room is used, not thrown away
    for service in services:  # every service keeps its row and its file table
        assert f"| `{service.name}` | changed | `{service.name}.port: 1 -> 2` | 1 | " in markdown
        assert f"| `generated/helm/{service.name}/values.yaml` | modified |" in markdown
    assert re.search(r"_[0-9,]+ more line\(s\) of this diff left out\._", markdown)
    assert html.count("<details>") < len(services)  # some diffs had to go


def test_a_fence_inside_a_diff_cannot_close_the_block() -> None:
    service = _service("api", 3)
    diff = service.files[0].diff + " ```\n ````\n"
    fenced = service.model_copy(update={"files": [service.files[0].model_copy(
        update={"diff": diff})]})
    markdown = render_markdown.render(_report([fenced]))
    assert "`````diff\n" in markdown
    html = _html(markdown)
    assert html.count("<pre") == 1 and " ````\n</code></pre>" in html


def test_pipes_and_backticks_in_values_stay_inside_their_cell() -> None:
    change = FieldChange(field="api.deploy.env.X", old="a|b", new="`x`",
                         summary="api.deploy.env.X: a|b -> `x`")
    service = ServiceChange(name="api", status="changed", changes=[change])
    html = _html(render_markdown.render(_report([service])))
    assert "<td><code>api.deploy.env.X: a|b -&gt; `x`</code></td>" in html


def test_a_real_change_too_big_for_a_comment(repo: Repo) -> None:
    """1,200 new services: even the summary alone passes the limit; it is cut at a row."""
    before = repo.path / "before.yaml"
    before.write_text(repo.services.read_text())
    many = "".join(f"\n  svc{n:04}:\n    path: services/svc{n:04}\n    stack: go\n"
                   f"    port: {8000 + n}\n" for n in range(1200))
    repo.services.write_text(repo.services.read_text() + many)
    markdown = repo.review("--old", str(before), "--new", str(repo.services), "--format",
                           "markdown")
    html = _assert_valid_and_under_the_limit(markdown)
    assert "| `svc0000` | added | `svc0000: added (go, port 8000, path services/svc0000)` |" \
        in markdown
    assert "<table>" in html
    assert "svc1199" not in markdown
    assert "the summary stops here and every diff is left out" in markdown
    assert f"Run `pipelinegen diff --old {before} --new {repo.services}` for the whole" \
        in markdown


def test_many_unchanged_services_are_counted_not_named() -> None:
    unchanged = [ServiceChange(name=f"svc{n:03}", status="unchanged") for n in range(21)]
    markdown = render_markdown.render(_report([_service("api", 1), *unchanged]))
    assert "21 services are unchanged.\n" in markdown and "svc000" not in markdown
    markdown = render_markdown.render(_report([_service("api", 1), *unchanged[:20]]))
    assert "Unchanged: `svc000`, `svc001`," in markdown
