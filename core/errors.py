"""The one error a domain rule raises when it refuses an action.

Every domain module raises ``DomainError`` with a message written for the person who tried;
pages show it (``core.pages.refusals_as_messages``), the API answers it as ``400`` in the one
error shape (``core.api.errors``). One type, so no caller has to know which module refused.
"""


class DomainError(Exception):
    """A change the rules do not allow. ``field`` names the input to point at, when there is
    one; ``index`` the item of a batch."""

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index

    def as_errors(self) -> list[dict]:
        """The error as the API's ``errors`` list."""
        error = {"field": self.field, "message": self.message}
        return [{"index": self.index, **error} if self.index is not None else error]
