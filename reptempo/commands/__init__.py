"""One module per subcommand; each imports its heavy dependencies inside `run`."""


def quiet_bumble() -> None:
    """bumble logs its own errors with tracebacks; the commands report them as one line."""
    import logging

    logging.getLogger("bumble").setLevel(logging.CRITICAL)
