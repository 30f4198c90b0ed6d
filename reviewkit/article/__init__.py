"""The article: what one Markdown file with front matter is.

Front matter (frontmatter), its JSON Schema (schema), the local files an article shows
(assets), bylines typed into the body (byline), finding, reading and digesting articles
(content), the files ``init`` and ``new`` start from (scaffold), and language tags and
the fields that tie a translation to its source (translation). May import base/ and
rules/ (the content rules); no git history, no ledger, no signatures.
"""
