"""The ground floor: values and tools every other layer uses.

Errors with their exit codes (errors), findings as data (findings), control characters shown
as escapes (printable), atomic writes and directory swaps (fsutil), worker processes
(workers), git (the git/ package: the only way to git), the files shipped in
reviewkit/data/ (package_data), the one Markdown dialect (markdown), the content digest
(digest), who is the same person (identity), the models (model, on structs) and the value
types the review decision works on (verdict). Imports nothing of reviewkit outside base/.
"""
