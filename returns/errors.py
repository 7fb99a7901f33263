"""The domain's one error, in a module of its own so the step declarations can raise it too."""


class ReturnError(Exception):
    """A change the current state does not allow; the message is for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
