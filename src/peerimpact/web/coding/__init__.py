"""The coding workbench: coders code transcripts in the browser.

Codings are the study's :class:`~peerimpact.web.records.models.Coding` rows
(exported as ``qual/codings.csv``); the codebook and memos are the study's
YAML documents (``StudyConfig.codebook_yaml`` / ``memos_yaml``). This app adds
what the study folder does not hold: which coders are assigned to which
transcript (blind double coding) and when a transcript was unblinded.
"""
