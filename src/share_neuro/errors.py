"""Errors that reach the user as one message and a non-zero exit code."""


class ShareNeuroError(Exception):
    """An error caused by the user's input (a file, a dataset, an option).

    The command-line interface prints the message alone, without a traceback, and
    exits with `exit_code`. Messages name the offending value and say what to do.
    """

    exit_code = 2


class InputFileError(ShareNeuroError):
    """A missing, truncated, unsafe or wrong-kind input file."""


class DataError(ShareNeuroError):
    """A dataset that is unavailable or whose content is invalid."""


class ResourceError(ShareNeuroError):
    """A network that does not fit the selected hardware profile."""


class EnvironmentSetupError(ShareNeuroError):
    """A required environment (for example the Lava one) is missing."""
