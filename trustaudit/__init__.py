"""trustaudit: audit how trustworthy an online shop looks to a buyer."""

__version__ = "0.1.0"
