"""Exceptions of the Python API. Bad input is a ValueError (as NumPy and PyTorch users expect)."""


class WorkbenchError(RuntimeError):
    """A failure that is not the caller's input: a numerical failure, a crashed or failing command."""


class WorkbenchInputError(ValueError):
    """Bad input: the message names the parameter, the value and the valid range (and the row, in a batch).

    Attributes (None where they do not apply): parameter, value, valid_range, row (flat row index of the
    broadcast input), index (the row's multi-index in the broadcast shape)."""

    def __init__(self, message, parameter=None, value=None, valid_range=None, row=None, index=None):
        super().__init__(message)
        self.parameter, self.value, self.valid_range, self.row, self.index = parameter, value, valid_range, row, index


class WorkbenchNumericalError(WorkbenchError):
    """A valid row the estimator could not evaluate (the CLI's exit 1). `row` and `index` say which."""

    def __init__(self, message, row=None, index=None):
        super().__init__(message)
        self.row, self.index = row, index


class WorkbenchWarning(UserWarning):
    """Rows whose values carry a documented warning (e.g. a rate below the double range)."""
