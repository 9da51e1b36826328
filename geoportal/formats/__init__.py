"""Date and number formats Django does not ship: Belarusian (its own locale has messages but no
formats, so dates came out in the English pattern with Belarusian words)."""
