"""Keep shoppers' secrets out of the logs: status-link tokens, lookup links, email addresses."""

import logging
import re

# Status links (/r/<token>/) and one-time lookup links (/lookup/<signed value>/).
STATUS_TOKEN = re.compile(r"(/r/|/lookup/)[A-Za-z0-9_:-]+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def redact(text: str) -> str:
    return EMAIL.sub("[email]", STATUS_TOKEN.sub(r"\1[token]", text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
