-- One row per GTIN-14: the catalog row with the latest updated_at (tie: the later row in the file).

with

catalog_records as (
    select * from {{ ref('int_core__catalog_records') }}
),

final as (
    select
        gtin,
        product_name,
        brand,
        manufacturer,
        category_l1,
        category_l2,
        category_l3,
        pack_size,
        updated_at
    from catalog_records
    where outcome = 'loaded'
)

select * from final
