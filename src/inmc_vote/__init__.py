"""inmc-vote: the host-city ballot of an international network of cities."""

__version__ = "0.1.0"
