-- One row per campaign x assigned shopper (erased shoppers left out; a repeated assignment keeps the earliest).

with

assignments as (
    select * from {{ ref('stg_campaigns__assignments') }}
),

erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

kept as (
    select
        assignments.campaign_id,
        assignments.retailer,
        assignments.shopper_key,
        assignments.arm,
        assignments.assigned_at,
        row_number() over (
            partition by assignments.campaign_id, assignments.shopper_key
            order by assignments.assigned_at, assignments.row_order
        ) as assignment_rank
    from assignments
    left join erased_shoppers
        on assignments.shopper_key = erased_shoppers.shopper_key
    where
        erased_shoppers.shopper_key is null
        and assignments.shopper_key is not null
        and assignments.campaign_id is not null
),

final as (
    select
        campaign_id,
        retailer,
        shopper_key,
        arm,
        assigned_at
    from kept
    where assignment_rank = 1
)

select * from final
