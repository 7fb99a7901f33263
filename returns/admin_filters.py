"""Filter headings that read as words: "Requested on", not Django's "By requested"."""

from django.contrib import admin


def titled(title, list_filter=admin.DateFieldListFilter):
    """A field's list filter under its own heading, for fields whose name reads badly alone."""

    class Titled(list_filter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled
