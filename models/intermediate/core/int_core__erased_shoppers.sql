-- Shoppers who asked to be forgotten (privacy/erasure_requests.csv), by shopper_key only.

with

erasure_requests as (
    select * from {{ ref('stg_privacy__erasure_requests') }}
),

final as (
    select
        shopper_key,
        min(retailer) as retailer,
        min(requested_at) as first_requested_at
    from erasure_requests
    where shopper_key is not null
    group by shopper_key
)

select * from final
