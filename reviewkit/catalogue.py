"""The whole catalogue: every article of the content roots, read and validated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.content import ArticleResult, check_catalogue, discover, load_article
from reviewkit.findings import Finding
from reviewkit.project import Project


@dataclass
class Catalogue:
    results: list[ArticleResult]
    findings: list[Finding] = field(default_factory=list)  # not tied to one readable article

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for r in self.results:
            out += r.findings
        return sorted(out)

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.all_findings() if f.is_error)


def load_catalogue(project: Project, paths: Sequence[str] = (), *, lint: bool = True) -> Catalogue:
    """Read every article under the content roots (or ``paths``), reporting all findings."""
    rels, findings = discover(project.root, project.config.content, paths)
    slugs = {Path(r).stem for r in rels}
    if paths:  # links may point at articles outside the selection
        all_rels, _ = discover(project.root, project.config.content)
        slugs |= {Path(r).stem for r in all_rels}
    linter = project.linter(slugs) if lint else None
    results = [load_article(project.root, rel, project.schema, linter) for rel in rels]
    for f in check_catalogue(results):
        for r in results:
            if r.path == f.path:
                r.findings.append(f)
    return Catalogue(results, findings)
