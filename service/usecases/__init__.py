"""What the front ends share: scoring with the fallback for an unusable avatar, recording a
moderator's decision, and changes to the bank with their audit entries. The API, the pages and
the CLI call these (blocking: from async code through the runtime's executor) instead of each
composing the pipeline and the store their own way."""
