"""reviewkit: clinical review sign-off for health content kept in git.

The library is usable without the CLI; start with :func:`reviewkit.article.content.load_article`,
:func:`reviewkit.review.status.evaluate_repo` and :mod:`reviewkit.review.workflow`.
"""

__version__ = "0.1.0"
