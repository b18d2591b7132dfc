"""One module per subcommand; each imports its heavy dependencies inside `run`."""


def quiet_bumble() -> None:
    """bumble logs its own errors with tracebacks; the commands report them as one line."""
    import logging

    logging.getLogger("bumble").setLevel(logging.CRITICAL)


def ble_backend_option(spec: str) -> str:
    """`--ble-backend`, checked (OptionError naming it if unusable), with bumble quieted."""
    from imu_reader.ble import check_backend_spec
    from reptempo.cli import OptionError

    quiet_bumble()
    try:
        return check_backend_spec(spec)
    except ValueError as exc:
        raise OptionError("--ble-backend", str(exc)) from None
