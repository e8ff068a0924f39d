"""The one exception ladle raises: its message and status."""
from . import _lib


class LadleError(Exception):
    """A failed ladle call: .message is ladle's one line ("FILE: what
    (where)"), .status its status (2 usage, 3 input, 4 output, 5 internal,
    130 interrupted, as the CLI's exit codes), .status_name the constant's
    name (LADLE_E_INPUT, ...)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = int(status)
        self.status_name = _lib.lib.ladle_status_name(self.status).decode()

    def __str__(self):
        return "%s [%s]" % (self.message, self.status_name)
