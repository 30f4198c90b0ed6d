"""A repository with its configuration: read from the work tree or from a trusted ref.

Layer: record/ (may import base/, rules/, article/).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.article.schema import ArticleSchema, compile_schema
from reviewkit.base.errors import ConfigError
from reviewkit.base.git import Repo, ResolvedRef, open_repo
from reviewkit.base.model import Config, Registry
from reviewkit.record.config import CONFIG_FILE, parse_config, parse_registry


@dataclass
class Project:
    """Everything a command needs to know about the repository it works on.

    With ``trust_ref`` set, configuration, registry and schema come from that ref (the
    pull request's base in CI), never from the work tree under test. ``trust_ref`` is the
    commit id the user's ref was pinned to when the project was loaded (one commit for the
    whole run); ``trusted`` says which full ref that was.
    """

    repo: Repo
    config: Config
    schema: ArticleSchema
    trust_ref: str | None = None
    # set when --trust-ref named a ref without reviewkit.yaml and the caller accepted that
    # (the setup change): the configuration then comes from the work tree, and the gate
    # passes only a change that publishes nothing (docs/guide/ci-release.md)
    setup_base: str | None = None
    _registry: Registry | None = field(default=None, repr=False)
    _trusted: dict[str, bytes | None] = field(default_factory=dict, repr=False)
    _linter: Any = field(default=None, repr=False)
    trusted: ResolvedRef | None = None

    # the ref a setup change's base was given as (``setup_base`` is its commit)
    setup_trusted: ResolvedRef | None = None

    @property
    def trust_label(self) -> str:
        """The trust ref as a person reads it: the name they gave, the commit in parentheses."""
        if self.trusted:
            return ref_label(self.trusted)
        return self.trust_ref or "the work tree"

    @property
    def setup_label(self) -> str:
        """A setup change's base as a person reads it (see ``trust_label``)."""
        if self.setup_trusted is not None:
            return ref_label(self.setup_trusted)
        return f"commit {self.setup_base}" if self.setup_base else "the work tree"

    @property
    def setup_target(self) -> str:
        """What a setup change is merged into: the base's name (a commit is not merged into)."""
        if self.setup_trusted is not None and self.setup_trusted.full is not None:
            return self.setup_trusted.given
        return "the base branch"

    @property
    def trust_name(self) -> str:
        """The trust ref as the user named it, with the commit it was pinned to."""
        return self.trust_label

    @property
    def root(self) -> Path:
        return self.repo.root

    def read_trusted(self, rel: str) -> bytes | None:
        """A configuration file's bytes from the trust ref, or from the work tree (read once
        per project: the configuration, the registry and the cache context share them)."""
        if rel not in self._trusted:
            self._trusted[rel] = self._read_trusted(rel)
        return self._trusted[rel]

    def _read_trusted(self, rel: str) -> bytes | None:
        if self.trust_ref:
            return self.repo.show_file(self.trust_ref, rel)
        path = self.root / rel
        if not path.is_file():
            return None
        if path.is_symlink():
            raise ConfigError(f"{rel}: is a symbolic link; configuration must be a regular file")
        return path.read_bytes()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            rel = self.config.registry
            data = self.read_trusted(rel)
            if data is None:
                where = f" at {self.trust_label}" if self.trust_ref else ""
                raise ConfigError(
                    f"{rel}: not found{where}", hint="run 'reviewkit init' or add the registry"
                )
            self._registry = parse_registry(data, rel)
        return self._registry

    def word_lists(self) -> list[tuple[str, bytes]]:
        """The publication's word-list files (``rules.word_lists`` and every language's in
        ``rules.languages``), each with its bytes as the linter reads them (b"" when
        missing): what content-rule findings depend on besides the configuration. Read
        from the configuration as written, without loading the rules."""
        return [(n, self.read_trusted(n) or b"") for n in self._word_list_names()]

    def _word_list_names(self) -> list[str]:
        """The files named in ``rules.word_lists`` and ``rules.languages``, as written."""
        raw = self.config.rules
        names = list(raw.get("word_lists") or []) if isinstance(raw.get("word_lists"), list) else []
        langs = raw.get("languages")
        for files in langs.values() if isinstance(langs, dict) else ():
            names += files if isinstance(files, list) else []
        return [str(n) for n in names]

    def linter(self, known_slugs: Collection[str]) -> Any:
        """The body linter of the configured content rules (docs/rules.md); ``known_slugs``
        may be a :class:`reviewkit.rules.LazySlugs` (read when a link needs it)."""
        from reviewkit.rules import Linter, slug_names

        key = slug_names(known_slugs)
        if self._linter is None or self._linter[0] != key:
            config = rules_config(self.config)  # checked: the names below are well formed
            lists = self._word_list_names()
            lang = self.config.policy.default_lang
            if self.trust_ref and lists:
                # the publication's word lists, like the rule levels, come from the trust ref
                import tempfile

                with tempfile.TemporaryDirectory(prefix="reviewkit-words-") as tmp:
                    for rel in lists:
                        data = self.read_trusted(rel)
                        if data is not None:
                            target = Path(tmp) / rel
                            target.parent.mkdir(parents=True, exist_ok=True)
                            target.write_bytes(data)
                    linter = Linter(config, root=Path(tmp), known_slugs=key,
                                    default_lang=lang)
            else:
                linter = Linter(config, root=self.root, known_slugs=key, default_lang=lang)
            self._linter = (key, linter)
        return self._linter[1]

    def trusted_files(self) -> list[str]:
        return [CONFIG_FILE, self.config.registry, self.config.schema_path]

    def changed_trusted_files(self) -> list[str]:
        """Trusted files whose work-tree version differs from the trust ref's."""
        if not self.trust_ref:
            return []
        changed = []
        for rel in self.trusted_files():
            path = self.root / rel
            here = path.read_bytes() if path.is_file() else None
            if here != self.repo.show_file(self.trust_ref, rel):
                changed.append(rel)
        return changed


def rules_config(config: Config) -> Any:
    """The ``rules:`` block as a RulesConfig; ConfigError naming the field when it is wrong."""
    from reviewkit.base.structs import ValidationError
    from reviewkit.rules import RulesConfig

    try:
        return RulesConfig.model_validate(config.rules)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{CONFIG_FILE}: rules.{where}: {err['msg']}") from None


def ref_label(ref: ResolvedRef) -> str:
    """``origin/main (commit 1a2b…)``: the name as given, which a person knows, and the
    commit it was pinned to; a bare commit id reads ``commit 1a2b…``."""
    if ref.full is None:
        return f"commit {ref.commit[:12]}"
    return f"{ref.given} (commit {ref.commit[:12]})"


SETUP_EXPLAINED = (
    "the trusted base {ref} has no reviewkit configuration yet: this is the setup change "
    "that adds reviewkit"
)


def load_project(path: str | os.PathLike[str] = ".", trust_ref: str | None = None, *,
                 allow_setup: bool = False, env: Mapping[str, str] | None = None) -> Project:
    """Open the repository around ``path`` and load its configuration and schema.

    ``allow_setup``: when ``trust_ref`` has no reviewkit.yaml at all, load the work tree's
    configuration and mark the project as the setup change (``setup_base``) instead of
    failing; the caller must then refuse anything the setup change could publish.
    ``env``: variables for every git process of the project (see :class:`git.Repo`).
    """
    repo = open_repo(path, env)
    # one full ref (never a name git could read as a tag or a branch of the same name),
    # pinned to its commit for the whole run
    trusted = repo.resolve_ref(trust_ref, "--trust-ref") if trust_ref is not None else None
    trust_ref = trusted.commit if trusted else None
    probe = Project(repo, Config.model_validate({}), None, trust_ref)  # type: ignore[arg-type]
    data = probe.read_trusted(CONFIG_FILE)
    if data is None and trust_ref is not None:
        here = (repo.root / CONFIG_FILE).is_file()
        assert trusted is not None
        label = ref_label(trusted)  # the ref as the user gave it, with its commit
        if allow_setup and here:
            project = load_project(path)
            project.setup_base = trust_ref
            project.setup_trusted = trusted
            return project
        if here:
            raise ConfigError(
                f"{CONFIG_FILE}: not found at {label}: this is the setup change that adds "
                "reviewkit",
                hint="CI passes it with 'reviewkit gate --trust-ref REF' while every article "
                     "is a draft; merge it, then later changes are checked against it",
            )
        raise ConfigError(f"{CONFIG_FILE}: not found at {label} nor in {repo.root}",
                          hint="run 'reviewkit init' on a branch and merge it first")
    if data is None:
        where = f" at {ref_label(trusted)}" if trusted else f" in {repo.root}"
        raise ConfigError(f"{CONFIG_FILE}: not found{where}", hint="run 'reviewkit init'")
    config = parse_config(data, CONFIG_FILE)
    schema_data = probe.read_trusted(config.schema_path)
    if schema_data is None:
        raise ConfigError(f"{config.schema_path}: schema not found (named in {CONFIG_FILE})")
    schema = _compile_schema(repo, schema_data, config.schema_path)
    return Project(repo, config, schema, trust_ref, _trusted=probe._trusted, trusted=trusted)


def _compile_schema(repo: Repo, data: bytes, source: str) -> ArticleSchema:
    """The article schema, its check against the meta-schema skipped when an authenticated
    record says these bytes passed it here before (import time: jsonschema)."""
    import hashlib

    from reviewkit.record.remembered import remember_schema_checked, schema_checked

    sha = hashlib.sha256(data).hexdigest()
    checked = schema_checked(repo.git_dir, sha)
    schema = compile_schema(data, source, checked=checked)
    if not checked and schema.rememberable:
        remember_schema_checked(repo.git_dir, sha)
    return schema
