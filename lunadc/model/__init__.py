"""Pure domain types of lunadc: no I/O, standard library only."""
