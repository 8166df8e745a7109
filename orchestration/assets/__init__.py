"""Every asset of the factory: partner files, dbt models, and the Python steps around them."""
