"""promo_factory: the Python side of the factory (generator, publishing, maths, CLI)."""

__version__ = "0.1.0"
