"""Market structure shared by the simulation and the analytic expectations.

For retailer r, price segment g and category c, ``brand_share[r, g, c, b]``
is the probability that a shopper without a favourite picks brand b; a brand
has a share only where the retailer stocks at least one of its products of
that category. Within (r, b, c) the product is uniform over the stocked ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from promo_factory.generator.catalog import BRANDS, Catalog

PRICE_SEGMENTS = 3
# Exponent of the brand price index in each segment's brand preference.
PRICE_ELASTICITY = np.array([0.5, -1.0, -3.0])


@dataclass
class Market:
    brand_share: np.ndarray  # float (3, G, C, B)
    product_count: np.ndarray  # int (3, B, C)
    product_offset: np.ndarray  # int (3, B, C) into product_flat
    product_flat: np.ndarray  # int product indices grouped by (r, b, c)
    category_available: np.ndarray  # bool (3, C)

    @property
    def n_categories(self) -> int:
        return self.brand_share.shape[2]

    @property
    def n_brands(self) -> int:
        return self.brand_share.shape[3]


def build_market(rng: np.random.Generator, catalog: Catalog) -> Market:
    products = catalog.products
    n_b, n_c = len(catalog.brands), len(catalog.categories_l2)
    brand_idx = products["brand_idx"].to_numpy()
    l2_idx = products["l2_idx"].to_numpy()
    price_index = np.array([BRANDS[name][1] for name in catalog.brands])
    popularity = rng.lognormal(0.0, 0.6, size=(n_b, n_c))

    count = np.zeros((3, n_b, n_c), dtype=np.int64)
    offset = np.zeros((3, n_b, n_c), dtype=np.int64)
    flat: list[np.ndarray] = []
    position = 0
    for r in range(3):
        for b in range(n_b):
            for c in range(n_c):
                members = np.flatnonzero((brand_idx == b) & (l2_idx == c) & catalog.assortment[r])
                count[r, b, c] = members.size
                offset[r, b, c] = position
                flat.append(members)
                position += members.size
    stocked = count > 0  # (3, B, C)
    share = np.zeros((3, PRICE_SEGMENTS, n_c, n_b))
    for r in range(3):
        for g in range(PRICE_SEGMENTS):
            weight = popularity * price_index[:, None] ** PRICE_ELASTICITY[g] * stocked[r]  # (B, C)
            totals = weight.sum(axis=0)
            share[r, g] = np.divide(weight, totals, out=np.zeros_like(weight), where=totals > 0).T
    return Market(
        brand_share=share,
        product_count=count,
        product_offset=offset,
        product_flat=np.concatenate(flat).astype(np.int64),
        category_available=stocked.any(axis=1),
    )
