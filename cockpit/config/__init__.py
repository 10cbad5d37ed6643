"""One reader per configuration file, each validated, each naming the bad key."""
