"""The integration's acts: one function per act, each atomic, checked, and carried out by the
existing orders and disputes services."""
