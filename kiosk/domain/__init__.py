"""Pure rules of the shop: no database, no terminal, no devices."""
