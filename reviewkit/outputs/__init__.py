"""What the review record produces for CI, releases and people.

The CI gate (gate), the release bundle and its offline check (publish, verify), the audit
trail (audit), the HTML dashboard (report), the CI job summary (summary), findings as text,
JSON, annotations, SARIF (output) and what the commands print (render: strings and marked
spans; only the CLI writes to the terminal). May import every layer below: base/, rules/,
article/, record/, review/.
"""
