"""The review: deciding and recording.

The decision over plain values (policy), the last approved version of each article
(versions), submissions made on other branches (submissions), the whole catalogue's
evaluation (status) and the actions that record events: submit, approve, request changes
(workflow); a translation's source, its diff and ``translate`` (translate). May import base/, rules/, article/ and record/.
"""
