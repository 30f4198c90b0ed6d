"""The record a repository holds, and how it is read and trusted.

reviewkit.yaml and reviewers.yaml (config) and the repository with them (project), SSH keys
and signatures (sshsig, allowed_signers, ssh_keygen, and the facade signing), review events
on ``refs/reviewkit/events`` (ledger), every cache format (cache) and the catalogue read from a
tree (catalogue). May import base/, rules/ and article/.
"""
