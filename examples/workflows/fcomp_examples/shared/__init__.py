"""Tasks used by example modules that cannot themselves be imported where tasks run (their
workflows need a plugin only present when they are packaged); not an example on its own."""
