-- One row per store of stores.csv (the first row of a store_code delivered twice wins).

with

stores as (
    select * from {{ ref('stg_stores__stores') }}
),

ranked as (
    select
        *,
        row_number() over (partition by store_code order by row_order) as store_rank
    from stores
    where store_code is not null
),

final as (
    select
        store_code,
        retailer,
        store_name,
        format,
        latitude,
        longitude,
        postal_code,
        city,
        opened_on
    from ranked
    where store_rank = 1
)

select * from final
