-- int_kpi__product_keys: one brand_key per brand and one brand per brand_key, one category_key per category
-- path and one path per key (missing values count as equal), so grouping by a key groups by its names.

with

product_keys as (
    select * from {{ ref('int_kpi__product_keys') }}
),

brand_pairs as (
    select distinct
        brand_key,
        brand
    from product_keys
),

category_pairs as (
    select distinct
        category_key,
        category_l1,
        category_l2,
        category_l3
    from product_keys
),

brand_keys_with_two_brands as (
    select brand_key
    from brand_pairs
    group by brand_key
    having count(*) > 1
),

brands_with_two_keys as (
    select brand
    from brand_pairs
    group by brand
    having count(*) > 1
),

category_keys_with_two_paths as (
    select category_key
    from category_pairs
    group by category_key
    having count(*) > 1
),

paths_with_two_keys as (
    select
        category_l1,
        category_l2,
        category_l3
    from category_pairs
    group by category_l1, category_l2, category_l3
    having count(*) > 1
),

final as (
    select 'brand_key with two brands' as problem
    from brand_keys_with_two_brands
    union all
    select 'brand with two brand_keys' as problem
    from brands_with_two_keys
    union all
    select 'category_key with two paths' as problem
    from category_keys_with_two_paths
    union all
    select 'category path with two category_keys' as problem
    from paths_with_two_keys
)

select * from final
