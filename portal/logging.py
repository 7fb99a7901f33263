"""Keep shoppers' secrets out of the logs: status-link tokens and email addresses."""

import logging
import re

STATUS_TOKEN = re.compile(r"(/r/)[A-Za-z0-9_-]+")
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
