"""Real identity providers for the single sign-on tests, run on loopback by the tests."""
