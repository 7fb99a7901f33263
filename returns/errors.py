"""The domain's errors, in a module of their own so the step declarations and tasks can use them."""


class ReturnError(Exception):
    """A change the current state does not allow; the message is for the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class RefundInFlight(Exception):
    """Another attempt of this refund holds its lease; try again once it may have ended."""

    def __init__(self, refund_id: int, retry_after: int):
        super().__init__(f"Refund {refund_id} is being sent by another attempt.")
        self.retry_after = retry_after
