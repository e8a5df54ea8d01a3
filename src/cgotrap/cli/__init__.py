"""The command line: the only place that prints. One `main_<command>.py` per subcommand."""
